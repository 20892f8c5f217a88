import * as z from "zod";
import { config } from "../../shared/config";
import { retentionDeps } from "../../shared/personal-data-wiring";
import { logger } from "../../shared/powertools";
import { taskHandler } from "../../shared/task";
import { eraseExpiredPersonalData } from "../../use-cases/personal-data";

/**
 * The retention job, invoked by its own schedule (RETENTION_INTERVAL_HOURS): erases the
 * personal data of orders whose last flight landed more than PII_RETENTION_DAYS ago.
 * Answers `{erased}`.
 */
export const handler = taskHandler(z.unknown(), async () => {
  const erased = await eraseExpiredPersonalData(
    { ...retentionDeps(), retentionDays: config().piiRetentionDays },
    (message, error) => logger.warn(message, { error }),
  );
  if (erased > 0) logger.info("personal data erased by retention", { erased });
  return { erased };
});
