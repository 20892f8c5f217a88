import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { buildAviaframe } from "../cloud/app";
import { TASKS, type TaskKey, WORKFLOWS, type WorkflowKey } from "../resources";
import { type LocalWorkflow, renderWorkflows, type TaskHandler } from "./step-functions";

/**
 * The workflows exactly as the CDK app synthesizes them (the same chains, rendered to ASL),
 * with each Lambda task state pointed at the local handler of that task function.
 */
export const localWorkflows = (invokeTask: (task: TaskKey) => TaskHandler): Map<WorkflowKey, LocalWorkflow> => {
  // Built only to render ASL: no bundling, no CloudFormation validation, a fixed environment.
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] }, builtinCloudFormationValidation: false });
  const { stateless } = buildAviaframe(app, { account: "000000000000", region: "local" });
  const rendered = renderWorkflows(Template.fromStack(stateless).toJSON());
  const taskOfLogicalId = (logicalId: string): TaskKey => {
    const key = (Object.keys(TASKS) as TaskKey[]).find((task) => logicalId.startsWith(`Task${task}Fn`));
    if (key === undefined) throw new Error(`workflow task ${logicalId} is not a known task function`);
    return key;
  };
  const workflows = new Map<WorkflowKey, LocalWorkflow>();
  for (const key of Object.keys(WORKFLOWS) as WorkflowKey[]) {
    const workflow = rendered.find((candidate) => candidate.logicalId.startsWith(`Workflow${key}`));
    if (workflow === undefined) throw new Error(`the CDK app has no workflow ${key}`);
    workflows.set(key, {
      name: WORKFLOWS[key].id,
      definition: workflow.definition,
      taskHandlers: Object.fromEntries(
        Object.entries(workflow.lambdaTasks).map(([state, logicalId]) => [
          state,
          invokeTask(taskOfLogicalId(logicalId)),
        ]),
      ),
    });
  }
  return workflows;
};
