import * as z from "zod";
import { operatorRoute, parsePath } from "../../shared/http";
import { deadLetterQueues } from "../../shared/ops-dead-letter-wiring";
import { logger } from "../../shared/powertools";
import { redriveDeadLetters } from "../../use-cases/ops";

const Path = z.object({ name: z.string().min(1).max(64) });

export const handler = operatorRoute({
  handle: async ({ pathParameters }) => {
    const { name } = parsePath(Path, pathParameters);
    const task = await redriveDeadLetters(deadLetterQueues(), name);
    logger.info("dead letters redriven", { queue: name, task_handle: task.task_handle });
    return { status: 202, body: { name, ...task } };
  },
});
