/** The composition root of the operators' view of workflows (Step Functions executions). */
import { inspectedWorkflow, stepFunctionsOpsWorkflows } from "../adapters/sfn/executions";
import { once } from "./once";

export const orderWorkflows = /* @__PURE__ */ once(() =>
  stepFunctionsOpsWorkflows([inspectedWorkflow("orderLifecycle")]),
);
export const allWorkflows = /* @__PURE__ */ once(() =>
  stepFunctionsOpsWorkflows([inspectedWorkflow("orderLifecycle"), inspectedWorkflow("reconciliation")]),
);
