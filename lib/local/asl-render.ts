/**
 * The workflows as the template has them, rendered to plain ASL: every intrinsic resolved and
 * each Lambda task state mapped to the logical id of the function it invokes. Shared by the
 * Step Functions stand-in (lib/local/step-functions.ts) and the tests that read the ASL.
 */

export const REGION = "local";
export const ACCOUNT = "000000000000";
const lambdaArn = (logicalId: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Every state of a definition, nested ones included (Map ItemProcessor/Iterator, Parallel Branches). */
export const forEachState = (
  definition: Record<string, unknown>,
  visit: (name: string, state: Record<string, unknown>) => void,
): void => {
  const states = definition.States;
  if (!isRecord(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isRecord(state)) continue;
    visit(name, state);
    for (const nested of [state.ItemProcessor, state.Iterator]) if (isRecord(nested)) forEachState(nested, visit);
    if (Array.isArray(state.Branches))
      for (const branch of state.Branches) if (isRecord(branch)) forEachState(branch, visit);
  }
};

const LAMBDA_FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;
const SERVICE_INTEGRATION_ARN = /^arn:aws[\w-]*:states:::([^:]+):(.+)$/;

/** How a Task state calls out: a Lambda ARN as Resource, lambda:invoke, or another integration. */
export type TaskKind =
  | { kind: "lambda"; resource: string; functionName: string | undefined }
  | { kind: "lambdaInvoke"; resource: string; functionName: string | undefined }
  | { kind: "integration"; resourceType: string; resource: string };

export const taskKind = (state: Record<string, unknown>): TaskKind => {
  const resource = typeof state.Resource === "string" ? state.Resource : "";
  const direct = LAMBDA_FUNCTION_ARN.exec(resource);
  if (direct !== null) return { kind: "lambda", resource, functionName: direct[1] };
  const integration = SERVICE_INTEGRATION_ARN.exec(resource);
  const service = integration?.[1] ?? "unknown";
  const action = integration?.[2] ?? resource;
  if (service === "lambda" && action.startsWith("invoke")) {
    const functionName = isRecord(state.Parameters) ? state.Parameters.FunctionName : undefined;
    const match = typeof functionName === "string" ? LAMBDA_FUNCTION_ARN.exec(functionName) : null;
    return { kind: "lambdaInvoke", resource: action, functionName: match?.[1] };
  }
  return { kind: "integration", resourceType: service, resource: action };
};

// ---------------------------------------------------------------------------------------------
// Rendering: CloudFormation template → plain ASL
// ---------------------------------------------------------------------------------------------

export interface RenderedWorkflow {
  /** The state machine's logical id in the template. */
  logicalId: string;
  /** Properties.StateMachineName when a plain string. */
  name: string | undefined;
  /** Plain ASL, every intrinsic resolved. */
  definition: Record<string, unknown>;
  /** Task state name (at any depth) → logical id of the Lambda function it invokes. */
  lambdaTasks: Record<string, string>;
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  "AWS::Region": REGION,
  "AWS::AccountId": ACCOUNT,
  "AWS::Partition": "aws",
  "AWS::URLSuffix": "amazonaws.com",
};

const intrinsicResolver = (resources: Record<string, unknown>) => {
  const arnOf = (logicalId: string): string => {
    const resource = resources[logicalId];
    if (!isRecord(resource)) throw new Error(`the state machine refers to ${logicalId}, which is not in the template`);
    return resource.Type === "AWS::Lambda::Function" ? lambdaArn(logicalId) : `arn:aws:local:::${logicalId}`;
  };
  const resolve = (value: unknown): string => {
    if (typeof value === "string") return value;
    if (typeof value === "number") return String(value);
    if (isRecord(value) && Object.keys(value).length === 1) {
      const ref = value.Ref;
      if (typeof ref === "string") return PSEUDO_PARAMETERS[ref] ?? arnOf(ref);
      const getAtt = value["Fn::GetAtt"];
      const target = typeof getAtt === "string" ? getAtt.split(".")[0] : Array.isArray(getAtt) ? getAtt[0] : undefined;
      if (typeof target === "string") return arnOf(target);
      const join = value["Fn::Join"];
      if (Array.isArray(join) && typeof join[0] === "string" && Array.isArray(join[1])) {
        return join[1].map(resolve).join(join[0]);
      }
    }
    throw new Error(`cannot resolve ${JSON.stringify(value)} in a state machine definition`);
  };
  /** Resolves intrinsics inside an already-structured value (the `Definition` property). */
  const resolveDeep = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolveDeep);
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0]?.startsWith("Fn::"))) return resolve(value);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveDeep(inner)]));
  };
  return { resolve, resolveDeep };
};

/** Plain ASL for every AWS::StepFunctions::StateMachine of `Template.fromStack(stack).toJSON()`. */
export const renderWorkflows = (template: Record<string, unknown>): RenderedWorkflow[] => {
  const resources = isRecord(template.Resources) ? template.Resources : {};
  const { resolve, resolveDeep } = intrinsicResolver(resources);
  const rendered: RenderedWorkflow[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isRecord(resource) || resource.Type !== "AWS::StepFunctions::StateMachine") continue;
    const properties = isRecord(resource.Properties) ? resource.Properties : {};
    let definition: unknown;
    if (properties.DefinitionString !== undefined) {
      let text = resolve(properties.DefinitionString);
      if (isRecord(properties.DefinitionSubstitutions)) {
        for (const [key, value] of Object.entries(properties.DefinitionSubstitutions)) {
          text = text.split(`\${${key}}`).join(resolve(value));
        }
      }
      definition = JSON.parse(text);
    } else {
      definition = resolveDeep(properties.Definition);
    }
    if (!isRecord(definition) || !isRecord(definition.States)) {
      throw new Error(`${logicalId}: no inline state machine definition (DefinitionS3Location is not supported)`);
    }
    const lambdaTasks: Record<string, string> = {};
    forEachState(definition, (stateName, state) => {
      if (state.Type !== "Task") return;
      const kind = taskKind(state);
      if (
        kind.kind !== "integration" &&
        kind.functionName !== undefined &&
        resources[kind.functionName] !== undefined
      ) {
        lambdaTasks[stateName] = kind.functionName;
      }
    });
    const name = typeof properties.StateMachineName === "string" ? properties.StateMachineName : undefined;
    rendered.push({ logicalId, name, definition, lambdaTasks });
  }
  return rendered;
};
