/** DRCT's offers resource: search (§5.1) and price (§5.2) over the simulator's state. */
import { code as iso4217 } from "currency-codes";
import { HttpError, hash, parseJsonBody, type Reply } from "./http";
import { flightsFor, SCENARIO_AIRPORTS, type SimSearch, scenarioPriceStep, touchesAirport } from "./offers";
import type { SimOffer, SimState } from "./state";

export class OfferResource {
  constructor(private readonly state: SimState) {}

  search(text: string): Reply {
    const body = this.validSearch(parseJsonBody(text));
    const now = Date.now();
    const criteriaKey = JSON.stringify([
      body.origin,
      body.destination,
      body.departure_date,
      body.return_date ?? null,
      body.passengers,
      body.cabin,
      body.currency,
    ]);
    const offers = flightsFor(body).map((flight) => {
      const offerId = `drct_${hash(`${criteriaKey}|${flight.key}|${this.state.generation}`).slice(0, 20)}`;
      const existing = this.state.offers.get(offerId);
      const offer: SimOffer = existing ?? { offerId, search: body, flight, validUntil: 0, delta: 0 };
      offer.validUntil = now + this.state.offerTtlMs;
      this.state.offers.set(offerId, offer);
      return this.offerView(offer);
    });
    this.state.save();
    return { status: 200, body: { offers } };
  }

  validSearch(raw: Record<string, unknown>): SimSearch {
    const invalid = (message: string) => new HttpError(400, "INVALID_REQUEST", message);
    const iata = (value: unknown) => typeof value === "string" && /^[A-Z]{3}$/.test(value);
    const date = (value: unknown) =>
      typeof value === "string" &&
      /^\d{4}-\d{2}-\d{2}$/.test(value) &&
      !Number.isNaN(Date.parse(value)) &&
      new Date(value).toISOString().startsWith(value);
    const count = (value: unknown, min: number) =>
      value === undefined ? min === 0 : Number.isInteger(value) && (value as number) >= min && (value as number) <= 9;
    if (!iata(raw.origin) || !iata(raw.destination)) throw invalid("origin and destination must be IATA codes");
    if (!date(raw.departure_date)) throw invalid("departure_date must be YYYY-MM-DD");
    if (raw.return_date !== undefined && !date(raw.return_date)) throw invalid("return_date must be YYYY-MM-DD");
    if (raw.return_date !== undefined && (raw.return_date as string) < (raw.departure_date as string)) {
      throw invalid("return_date must not be before departure_date");
    }
    if (typeof raw.currency !== "string" || !/^[A-Z]{3}$/.test(raw.currency) || iso4217(raw.currency) === undefined) {
      throw invalid("currency must be an ISO 4217 code");
    }
    if (typeof raw.cabin !== "string" || !["economy", "premium_economy", "business", "first"].includes(raw.cabin)) {
      throw invalid("cabin must be economy, premium_economy, business or first");
    }
    const passengers = (raw.passengers ?? {}) as Record<string, unknown>;
    if (!count(passengers.adults, 1) || !count(passengers.children, 0) || !count(passengers.infants, 0)) {
      throw invalid("passengers: adults 1-9, children and infants 0-9");
    }
    return {
      origin: raw.origin as string,
      destination: raw.destination as string,
      departure_date: raw.departure_date as string,
      return_date: raw.return_date as string | undefined,
      passengers: {
        adults: passengers.adults as number,
        children: (passengers.children as number | undefined) ?? 0,
        infants: (passengers.infants as number | undefined) ?? 0,
      },
      cabin: raw.cabin,
      currency: raw.currency,
    };
  }

  priceOf(offer: SimOffer) {
    const base = Math.max(0, offer.flight.base + offer.delta);
    return {
      currency: offer.search.currency,
      base,
      taxes: offer.flight.taxes,
      fees: offer.flight.fees,
    };
  }

  offerView(offer: SimOffer) {
    return {
      offer_id: offer.offerId,
      valid_until: new Date(offer.validUntil).toISOString(),
      segments: offer.flight.segments,
      price: this.priceOf(offer),
      fare_rules: {
        refundable: offer.flight.refundable,
        changeable: offer.flight.changeable,
        ...(offer.flight.cancelPenalty === undefined ? {} : { cancel_penalty: offer.flight.cancelPenalty }),
      },
    };
  }

  liveOffer(offerId: string): SimOffer {
    const offer = this.state.offers.get(offerId);
    if (offer === undefined) throw new HttpError(404, "OFFER_NOT_FOUND", "unknown offer");
    if (offer.validUntil <= Date.now()) throw new HttpError(410, "OFFER_EXPIRED", "the offer has expired");
    return offer;
  }

  price(offerId: string): Reply {
    const offer = this.liveOffer(offerId);
    if (touchesAirport(offer.search, SCENARIO_AIRPORTS.priceMovesOnce) && offer.scenarioMoved !== true) {
      offer.delta += scenarioPriceStep(offer.search.currency);
      offer.scenarioMoved = true;
      this.state.save();
    }
    return { status: 200, body: this.offerView(offer) };
  }
}
