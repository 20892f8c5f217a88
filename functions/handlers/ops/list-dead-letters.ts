import { operatorRoute } from "../../shared/http";
import { deadLetterQueues } from "../../shared/ops-dead-letter-wiring";
import { listDeadLetters } from "../../use-cases/ops";

export const handler = operatorRoute({
  handle: async () => ({ status: 200, body: await listDeadLetters(deadLetterQueues()) }),
});
