import { opsRoute } from "../../shared/http";
import { deadLetterQueues } from "../../shared/ops-wiring";
import { listDeadLetters } from "../../use-cases/ops";

export const handler = opsRoute({
  handle: async () => ({ status: 200, body: await listDeadLetters(deadLetterQueues()) }),
});
