import { circuitBreaker } from "../../shared/breaker-wiring";
import { config } from "../../shared/config";
import { publicRoute } from "../../shared/http";
import { logger } from "../../shared/powertools";

/**
 * Ready means the gateway can reach its state store (a read that proves it, not a constant);
 * the supplier's breaker state tells whether searches can reach DRCT right now.
 */
export const handler = publicRoute({
  handle: async () => {
    const breaker = await circuitBreaker()
      .status()
      .catch((error: unknown) => {
        logger.error("health check cannot reach DynamoDB", { error });
        return undefined;
      });
    const ready = breaker !== undefined;
    return {
      status: ready ? 200 : 503,
      body: {
        status: !ready ? "unavailable" : breaker === "closed" ? "ok" : "degraded",
        stage: config().stage,
        supplier: { name: "drct", breaker: breaker ?? "unknown" },
        time: new Date().toISOString(),
      },
    };
  },
});
