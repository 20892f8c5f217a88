import { maskDocumentNumber, type Order } from "./order";

/** The Order of the public API (CONTRACT.md §3): document numbers masked, contact left out. */
export const toPublicOrder = (order: Order) => ({
  id: order.id,
  status: order.status,
  offer_id: order.offerId,
  price: order.price,
  passengers: order.passengers.map((passenger) => ({
    type: passenger.type,
    given_name: passenger.given_name,
    family_name: passenger.family_name,
    birth_date: passenger.birth_date,
    gender: passenger.gender,
    ...(passenger.document === undefined
      ? {}
      : { document: { ...passenger.document, number: maskDocumentNumber(passenger.document.number) } }),
  })),
  ...(order.tickets === undefined ? {} : { tickets: order.tickets }),
  ...(order.drctOrderId === undefined ? {} : { drct_order_id: order.drctOrderId }),
  ...(order.externalRef === undefined ? {} : { external_ref: order.externalRef }),
  ...(order.callbackUrl === undefined ? {} : { callback_url: order.callbackUrl }),
  ...(order.failure === undefined ? {} : { failure: order.failure }),
  ...(order.cancellation === undefined ? {} : { cancellation: order.cancellation }),
  created_at: order.createdAt,
  updated_at: order.updatedAt,
  history: order.history,
  ...(order.personalDataErased === true ? { personal_data_erased: true as const } : {}),
});

export type PublicOrder = ReturnType<typeof toPublicOrder>;
