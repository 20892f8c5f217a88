import * as z from "zod";
import { operatorRoute, parsePath } from "../../shared/http";
import { allWorkflows } from "../../shared/ops-workflow-wiring";
import { logger } from "../../shared/powertools";

const Path = z.object({ workflow: z.string().min(1).max(64), name: z.string().min(1).max(80) });

export const handler = operatorRoute({
  handle: async ({ pathParameters }) => {
    const { workflow, name } = parsePath(Path, pathParameters);
    const redriven = await allWorkflows().redrive(workflow, name);
    logger.info("execution redriven", { workflow, name });
    return { status: 202, body: { workflow, name, ...redriven } };
  },
});
