/**
 * The zod schemas of voluntary changes (change offers, applying one): apart from schemas.ts,
 * which holds the rest of the order API.
 */
import * as z from "zod";
import { IsoDate, SegmentSchema } from "./schemas";

export const ChangeOffersRequest = z
  .strictObject({
    departure_date: IsoDate.meta({ description: "the new outbound date" }),
    return_date: IsoDate.optional().meta({ description: "the new return date (round trips only, and required there)" }),
  })
  .refine((body) => body.return_date === undefined || body.return_date >= body.departure_date, {
    message: "must not be before departure_date",
    path: ["return_date"],
  })
  .meta({ id: "ChangeOffersRequest" });

export const ChangeOfferSchema = z
  .object({
    id: z.string().meta({ description: "the change offer's id (`chg_…`): apply it with POST …/changes" }),
    valid_until: z.iso.datetime().meta({ description: "apply it before this; later it is 404" }),
    segments: z.array(SegmentSchema).meta({ description: "the flights the order would have" }),
    price_difference: z
      .int()
      .min(0)
      .meta({ description: "what the new flights cost more, minor units; a cheaper one: 0" }),
    penalty: z.int().min(0).meta({ description: "the fare's change fee, minor units" }),
    total_due: z.int().min(0).meta({ description: "price_difference + penalty, minor units" }),
    currency: z.string().meta({ description: "the order's currency" }),
  })
  .meta({ id: "ChangeOffer" });

export const ChangeOfferListResponse = z
  .object({ change_offers: z.array(ChangeOfferSchema) })
  .meta({ id: "ChangeOfferList" });

export const ApplyChangeRequest = z
  .strictObject({
    change_offer_id: z
      .string()
      .regex(/^chg_[A-Za-z0-9_-]{10,40}$/, "is not a change offer id")
      .meta({ description: "a change offer of this order, still valid" }),
  })
  .meta({ id: "ApplyChangeRequest" });
