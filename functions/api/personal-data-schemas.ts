/** Schemas of the data-subject routes: export, erase and search of passengers' personal data. */
import * as z from "zod";
import { CreateOrderRequest, PassengerSchema } from "./schemas";

export const PersonalDataExportSchema = z
  .object({
    order_id: z.string().meta({ description: "the order's id (`ord_…`)" }),
    passengers: z
      .array(PassengerSchema)
      .meta({ description: "as booked, document numbers unmasked; empty once erased" }),
    contact: CreateOrderRequest.shape.contact.nullable().meta({ description: "as booked; null once erased" }),
    personal_data_erased: z.boolean().meta({ description: "true once the order's personal data was erased" }),
  })
  .meta({ id: "PersonalDataExport" });

export const PersonalDataSearchRequest = z
  .strictObject({
    email: z.email().max(254).meta({
      description: "the data subject's email, as any order's contact gave it (letter case does not matter)",
    }),
  })
  .meta({ id: "PersonalDataSearchRequest" });

export const PersonalDataSearchResponse = z
  .object({
    order_ids: z.array(z.string()).meta({ description: "your orders whose contact email is this one" }),
  })
  .meta({ id: "PersonalDataSearchResult" });
