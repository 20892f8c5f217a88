import { randomUUID } from "node:crypto";

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's correlation id when it is safe to log and echo, else a new one. */
export const correlationIdOf = (headers: Readonly<Record<string, string>>): string => {
  const sent = headers["x-correlation-id"];
  return sent !== undefined && CORRELATION_ID.test(sent) ? sent : randomUUID();
};
