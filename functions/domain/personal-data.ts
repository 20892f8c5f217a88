import type { Contact, Order, Passenger } from "./order";

/**
 * Data-subject requests (CONTRACT.md §3 "Passenger data"): the export of an order's
 * passengers and contact, unmasked, to its owner; the erase that leaves the order its ids,
 * price, tickets and history and nothing personal; the email a search looks for, normalized
 * so that `Ann@Example.COM ` and `ann@example.com` find the same orders.
 */
export interface PersonalDataExport {
  readonly order_id: string;
  readonly passengers: readonly Passenger[];
  readonly contact: Contact | null;
  readonly personal_data_erased: boolean;
}

export const toPersonalDataExport = (order: Order): PersonalDataExport => ({
  order_id: order.id,
  passengers: order.personalDataErased === true ? [] : order.passengers,
  contact: order.personalDataErased === true ? null : order.contact,
  personal_data_erased: order.personalDataErased === true,
});

/** When the last of these flights lands (ISO), or undefined for none. */
export const lastArrival = (segments: readonly { readonly arrives_at: string }[]): string | undefined =>
  segments
    .map((segment) => new Date(segment.arrives_at))
    .filter((at) => !Number.isNaN(at.getTime()))
    .sort((a, b) => b.getTime() - a.getTime())[0]
    ?.toISOString();

/** The instant before which a last flight makes an order's personal data due for erasure. */
export const retentionCutoff = (now: Date, retentionDays: number): string =>
  new Date(now.getTime() - retentionDays * 86_400_000).toISOString();

/** The same mailbox however it was typed: Unicode-normalized, trimmed, lowercased. */
export const normalizeEmail = (email: string): string => email.normalize("NFKC").trim().toLowerCase();

/** What an erased order keeps of its travellers and contact: nothing. */
export const ERASED_CONTACT: Contact = { email: "", phone: "" };

/** The order after its personal data is erased: every personal field empty, the rest as it was. */
export const erased = (order: Order): Order => ({
  ...order,
  passengers: [],
  contact: ERASED_CONTACT,
  personalDataErased: true,
});
