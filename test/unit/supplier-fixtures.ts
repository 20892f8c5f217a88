/** What the DRCT-facing unit tests search for and get back. */
import type { SearchCriteria, SupplierOffer } from "../../functions/domain/offer";

export const T0 = Date.UTC(2031, 2, 10, 8, 0, 0);

export const CRITERIA: SearchCriteria = {
  origin: "LHR",
  destination: "JFK",
  departure_date: "2031-04-01",
  passengers: { adults: 1, children: 0, infants: 0 },
  cabin: "economy",
  currency: "GBP",
};

export const OFFER: SupplierOffer = {
  supplierOfferId: "drct-offer-1",
  validUntil: "2031-03-10T08:30:00.000Z",
  segments: [],
  price: { currency: "GBP", base: 10_000, taxes: 2_000, fees: 500 },
  fareRules: { refundable: false, changeable: true },
};
