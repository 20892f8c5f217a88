/** Shared test data and helpers of the unit tests. */
import type { PriceBreakdown } from "../../functions/domain/offer";
import type { Order, Passenger } from "../../functions/domain/order";

/** Freezes a value and everything under it, so that any mutation by the code under test throws. */
export const deepFreeze = <T>(value: T): T => {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
};

/** An adult with a passport, as an agency sends it (before transliteration). */
export const ADULT: Passenger = {
  type: "adult",
  given_name: "Anna",
  family_name: "Müller",
  birth_date: "1990-05-17",
  gender: "female",
  document: {
    type: "passport",
    number: "P1234567",
    issuing_country: "DE",
    nationality: "DE",
    expires_on: "2035-01-01",
  },
};

/** DRCT's 128.00 EUR plus Aviaframe's 1%, no tenant markup: what the sample order costs. */
export const SAMPLE_PRICE: PriceBreakdown = deepFreeze({
  currency: "EUR",
  base: 10_000,
  taxes: 2_500,
  provider_fees: 300,
  aviaframe_markup: 128,
  tenant_markup: 0,
  total: 12_928,
});

/** A PENDING order for one adult, created at `at`; override what a test needs. */
export const sampleOrder = (at: string, overrides: Partial<Order> = {}): Order => ({
  id: "ord_01HZX5T8M2",
  tenantId: "tenant-a",
  status: "PENDING",
  offerId: "off_abc",
  supplierOfferId: "drct-offer-9",
  price: { ...SAMPLE_PRICE },
  passengers: [{ ...ADULT, given_name: "ANNA", family_name: "MULLER" }],
  contact: { email: "anna.mueller@example.com", phone: "+4915112345678" },
  supplierBookingKey: "bk_ord_01HZX5T8M2",
  refundable: true,
  createdAt: at,
  updatedAt: at,
  history: [{ status: "PENDING", at }],
  correlationId: "corr-1",
  version: 1,
  ...overrides,
});
