import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { maskSecrets } from "./masking";

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? "aviaframe";

/** The one logger every handler and adapter writes through. */
export const logger = new Logger({ serviceName, jsonReplacerFn: maskSecrets });

export const metrics = new Metrics({ namespace: "Aviaframe", serviceName });
