/** The data-subject routes' documentation (export, erase, search), part of OPERATIONS. */
import { EXAMPLE_BOOKED_ORDER } from "./examples";
import type { Example, OperationDoc } from "./operations";
import {
  PersonalDataExportSchema,
  PersonalDataSearchRequest,
  PersonalDataSearchResponse,
} from "./personal-data-schemas";
import { OrderIdPath } from "./schemas";

const example = (summary: string, value: unknown): Example => ({ summary, value });

export const PERSONAL_DATA_OPERATIONS: Record<
  "exportPersonalData" | "erasePersonalData" | "searchPersonalData",
  OperationDoc
> = {
  exportPersonalData: {
    tag: "Orders",
    description:
      "Everything the order holds about its passengers and contact, unmasked (document numbers included), for a data subject's access request. Every export is recorded in the AuditLog. After an erase: empty, with `personal_data_erased: true`.",
    path: OrderIdPath,
    responses: {
      "200": {
        description: "The order's personal data.",
        schema: PersonalDataExportSchema,
        examples: {
          export: example("As booked", {
            order_id: EXAMPLE_BOOKED_ORDER.id,
            passengers: [
              {
                type: "adult",
                given_name: "ANNA",
                family_name: "MULLER",
                birth_date: "1990-04-12",
                gender: "female",
                document: {
                  type: "passport",
                  number: "P1234567",
                  issuing_country: "DE",
                  nationality: "DE",
                  expires_on: "2031-01-31",
                },
              },
            ],
            contact: { email: "anna.mueller@example.com", phone: "+4930123456" },
            personal_data_erased: false,
          }),
        },
      },
    },
    errors: ["AVF_404_ORDER_NOT_FOUND"],
  },
  erasePersonalData: {
    tag: "Orders",
    description:
      "Erases the order's passengers' and contact's data everywhere it is kept (it is stored nowhere but the order, encrypted): reads, exports and later callbacks carry none. The order keeps its ids, price, tickets and history and gets `personal_data_erased: true`. Recorded in the AuditLog. Not while the booking is still in flight (`PENDING`, `PENDING_RECONCILE`): 409. Personal data is also erased automatically `PII_RETENTION_DAYS` after the last flight.",
    path: OrderIdPath,
    responses: { "204": { description: "Erased (again: still erased)." } },
    errors: ["AVF_404_ORDER_NOT_FOUND", "AVF_409_INVALID_STATE"],
  },
  searchPersonalData: {
    tag: "Orders",
    description:
      "Your orders whose contact email is this one, for a data subject's request. The email is never stored in clear: orders keep a keyed blind index of it (HMAC), so only an exact (normalized) email finds them, and never another agency's orders. Recorded in the AuditLog (how many were found, never the email).",
    request: {
      schema: PersonalDataSearchRequest,
      examples: { email: example("A data subject's email", { email: "anna.mueller@example.com" }) },
    },
    responses: {
      "200": {
        description: "The order ids (none: an empty list).",
        schema: PersonalDataSearchResponse,
        examples: { found: example("One order", { order_ids: [EXAMPLE_BOOKED_ORDER.id] }) },
      },
    },
    errors: [],
  },
};
