import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { hmacEmailIndex } from "../../../functions/adapters/pii/email-index";
import type { AvfError } from "../../../functions/domain/errors";
import type { Order } from "../../../functions/domain/order";
import { toPublicOrder } from "../../../functions/domain/order-view";
import { erased, lastArrival, normalizeEmail, toPersonalDataExport } from "../../../functions/domain/personal-data";
import {
  eraseExpiredPersonalData,
  erasePersonalData,
  exportPersonalData,
  type PersonalDataDeps,
  searchPersonalData,
} from "../../../functions/use-cases/personal-data";
import type { PersonalDataAuditEntry } from "../../../functions/use-cases/ports";
import { FakeOrders } from "../callbacks/world";
import { sampleOrder } from "../fixtures";

const AT = "2031-03-10T08:00:00.000Z";
const WHO = { tenantId: "tenant-a", correlationId: "corr-9" };

const setup = (order: Order) => {
  const orders = new FakeOrders(order);
  const audit: PersonalDataAuditEntry[] = [];
  const erasedIds: string[] = [];
  const deps: PersonalDataDeps = {
    orders,
    store: {
      erase: async (tenantId, orderId) => {
        const stored = await orders.get(tenantId, orderId);
        if (stored === undefined) return false;
        orders.put(erased(stored));
        erasedIds.push(orderId);
        return true;
      },
      findByEmailIndex: async () => [],
      findDueForErasure: async () => [],
    },
    audit: { recordAccess: async (entry) => void audit.push(entry) },
    now: () => new Date(AT),
  };
  return { deps, orders, audit, erasedIds };
};

const BOOKED = sampleOrder(AT, {
  status: "BOOKED",
  history: [
    { status: "PENDING", at: AT },
    { status: "BOOKED", at: AT },
  ],
  version: 2,
});

describe("personal data requests", () => {
  test("export: the passengers and contact unmasked, audited with who and which order", async () => {
    const { deps, audit } = setup(BOOKED);
    const exported = await exportPersonalData(deps, WHO, BOOKED.id);
    expect(exported).toEqual({
      order_id: BOOKED.id,
      passengers: BOOKED.passengers,
      contact: BOOKED.contact,
      personal_data_erased: false,
    });
    expect(audit).toEqual([
      {
        tenantId: "tenant-a",
        action: "export",
        orderId: BOOKED.id,
        actor: "tenant:tenant-a",
        correlationId: "corr-9",
        at: AT,
      },
    ]);
  });

  test("another tenant's order or none: 404, nothing audited, nothing erased", async () => {
    const { deps, audit, erasedIds } = setup(BOOKED);
    for (const run of [
      () => exportPersonalData(deps, { ...WHO, tenantId: "tenant-b" }, BOOKED.id),
      () => erasePersonalData(deps, { ...WHO, tenantId: "tenant-b" }, BOOKED.id),
      () => erasePersonalData(deps, WHO, "ord_nope"),
    ]) {
      await expect(run()).rejects.toMatchObject({ code: "AVF_404_ORDER_NOT_FOUND" } satisfies Partial<AvfError>);
    }
    expect(audit).toEqual([]);
    expect(erasedIds).toEqual([]);
  });

  test("erase: the order keeps ids, price, history; reads, exports and callbacks show nothing personal", async () => {
    const { deps, orders, audit } = setup(BOOKED);
    await erasePersonalData(deps, WHO, BOOKED.id);
    const after = await orders.get(BOOKED.tenantId, BOOKED.id);
    if (after === undefined) throw new Error("the order itself is kept");
    expect(after).toMatchObject({
      id: BOOKED.id,
      price: BOOKED.price,
      history: BOOKED.history,
      version: BOOKED.version,
    });
    const shown = JSON.stringify([toPublicOrder(after), toPersonalDataExport(after)]);
    for (const personal of ["ANNA", "MULLER", BOOKED.contact.email, BOOKED.contact.phone])
      expect(shown).not.toContain(personal);
    expect(toPublicOrder(after).personal_data_erased).toBe(true);
    expect(audit.map((entry) => [entry.action, entry.orderId])).toEqual([["erase", BOOKED.id]]);
  });

  test.each(["PENDING", "PENDING_RECONCILE"] as const)(
    "erase of a %s order (its booking needs the travellers): 409",
    async (status) => {
      const { deps, erasedIds } = setup({ ...BOOKED, status });
      await expect(erasePersonalData(deps, WHO, BOOKED.id)).rejects.toMatchObject({ code: "AVF_409_INVALID_STATE" });
      expect(erasedIds).toEqual([]);
    },
  );

  test("search: by the normalized email's index, audited with the count, never the email", async () => {
    const asked: string[] = [];
    const audit: PersonalDataAuditEntry[] = [];
    const index = hmacEmailIndex(async () => "a-secret-key");
    const ids = await searchPersonalData(
      {
        index,
        store: {
          findByEmailIndex: async (_tenant, value) => {
            asked.push(value);
            return ["ord_1"];
          },
        },
        audit: { recordAccess: async (entry) => void audit.push(entry) },
        now: () => new Date(AT),
      },
      WHO,
      "Anna.Mueller@Example.com",
    );
    expect(ids).toEqual(["ord_1"]);
    expect(asked).toEqual([await index.indexOf("tenant-a", "anna.mueller@example.com")]);
    expect(audit).toEqual([
      { tenantId: "tenant-a", action: "search", results: 1, actor: "tenant:tenant-a", correlationId: "corr-9", at: AT },
    ]);
    expect(JSON.stringify(audit)).not.toContain("mueller");
  });
});

describe("the email blind index", () => {
  const index = hmacEmailIndex(async () => "k1");
  test("property: letter case does not matter; tenant and key do; it is a digest, not the email", async () => {
    await fc.assert(
      fc.asyncProperty(fc.emailAddress(), async (email) => {
        const value = await index.indexOf("tenant-a", email);
        expect(await index.indexOf("tenant-a", email.toUpperCase())).toBe(value);
        expect(await index.indexOf("tenant-b", email)).not.toBe(value);
        expect(await hmacEmailIndex(async () => "k2").indexOf("tenant-a", email)).not.toBe(value);
        expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }),
      { numRuns: 50 },
    );
  });

  test("normalizeEmail", () => {
    expect(normalizeEmail("  Ann@EXAMPLE.com ")).toBe("ann@example.com");
  });
});

describe("retention", () => {
  test("erases what is due by the cutoff, audits each, leaves a failure for the next run", async () => {
    const asked: string[] = [];
    const erasedIds: string[] = [];
    const audit: PersonalDataAuditEntry[] = [];
    const warnings: string[] = [];
    const count = await eraseExpiredPersonalData(
      {
        store: {
          findDueForErasure: async (before) => {
            asked.push(before);
            return [
              { tenantId: "tenant-a", orderId: "ord_1" },
              { tenantId: "tenant-b", orderId: "ord_broken" },
              { tenantId: "tenant-b", orderId: "ord_2" },
            ];
          },
          erase: async (_tenant, orderId) => {
            if (orderId === "ord_broken") throw new Error("throttled");
            erasedIds.push(orderId);
            return true;
          },
        },
        audit: { recordAccess: async (entry) => void audit.push(entry) },
        now: () => new Date(AT),
        retentionDays: 90,
      },
      (message) => warnings.push(message),
    );
    expect(asked).toEqual([new Date(Date.parse(AT) - 90 * 86_400_000).toISOString()]);
    expect(count).toBe(2);
    expect(erasedIds).toEqual(["ord_1", "ord_2"]);
    expect(audit.map((entry) => [entry.tenantId, entry.action, entry.orderId, entry.actor])).toEqual([
      ["tenant-a", "retention_erase", "ord_1", "retention"],
      ["tenant-b", "retention_erase", "ord_2", "retention"],
    ]);
    expect(warnings).toHaveLength(1);
  });

  test("lastArrival: the latest landing of the segments", () => {
    expect(
      lastArrival([
        { arrives_at: "2031-04-01T18:00:00Z" },
        { arrives_at: "2031-04-09T07:30:00+02:00" },
        { arrives_at: "2031-04-05T10:00:00Z" },
      ]),
    ).toBe("2031-04-09T05:30:00.000Z");
    expect(lastArrival([])).toBeUndefined();
  });
});
