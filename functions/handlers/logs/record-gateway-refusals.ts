import { gunzipSync } from "node:zlib";
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from "aws-lambda";
import * as z from "zod";
import { recordAuthEvent } from "../../adapters/dynamodb/auth-events";
import { gatewayRefusalReason } from "../../domain/access";
import { countAuthRefusal } from "../../shared/auth-metrics";
import { logger } from "../../shared/powertools";

/** The fields of API Gateway's access log line this function reads (lib/cloud: ACCESS_LOG_FORMAT). */
const AccessLogLine = z.object({
  requestId: z.string(),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
  httpMethod: z.string(),
  resourcePath: z.string(),
  status: z.string(),
  apiKeyId: z.string().optional(),
  errorResponseType: z.string().optional(),
});

/** API Gateway writes `-` for a value it does not have. */
const present = (value: string | undefined): string | undefined =>
  value === undefined || value === "-" || value === "" ? undefined : value;

/**
 * The refusals API Gateway made before any function ran, from its access log (a CloudWatch Logs
 * subscription): each becomes an AuthEvent and counts in AuthRefusals, as our own refusals do.
 */
export const handler = async (event: CloudWatchLogsEvent): Promise<void> => {
  const data = JSON.parse(
    gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8"),
  ) as CloudWatchLogsDecodedData;
  if (data.messageType !== "DATA_MESSAGE") return;
  for (const logEvent of data.logEvents) {
    const parsed = AccessLogLine.safeParse(JSON.parse(logEvent.message));
    if (!parsed.success) {
      logger.warn("an access log line this function cannot read", { id: logEvent.id });
      continue;
    }
    const line = parsed.data;
    const reason = gatewayRefusalReason(present(line.errorResponseType) ?? "", line.resourcePath);
    if (reason === undefined) continue;
    countAuthRefusal();
    await recordAuthEvent(
      {
        reason,
        route: `${line.httpMethod} ${line.resourcePath}`,
        sourceIp: present(line.ip),
        userAgent: present(line.userAgent),
        keyId: present(line.apiKeyId),
        correlationId: line.requestId,
      },
      new Date(logEvent.timestamp),
    );
  }
};
