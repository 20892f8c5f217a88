/**
 * A read a handler starts before it knows it will use it (beside the idempotency record's
 * write, which it does not depend on): a failure surfaces where the read is awaited, and a
 * read nobody awaits (a replayed or refused request) never becomes an unhandled rejection.
 */
export const readEarly = <T>(read: Promise<T>): Promise<T> => {
  read.catch(() => undefined);
  return read;
};
