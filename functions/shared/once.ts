/**
 * A value created on first use, once per execution environment: how every composition root
 * shares its adapters. Apart from the roots themselves, so a root imports no other root's
 * adapters (and their AWS clients) just for this.
 */
export const once = <T>(create: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= create();
    return value;
  };
};
