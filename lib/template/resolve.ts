/**
 * Resolves CloudFormation values of the synthesized templates (Ref, Fn::GetAtt, Fn::Join,
 * Fn::ImportValue, Fn::Select, Fn::Split, pseudo parameters) to the concrete names and ARNs
 * the resources would have, so tests and the local runtime read a function's environment and
 * its role's statements exactly as CloudFormation would hand them over.
 */

export type CfnTemplate = { Resources?: Record<string, CfnResource>; Outputs?: Record<string, CfnOutput> };
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
interface CfnOutput {
  readonly Value: unknown;
  readonly Export?: { readonly Name?: unknown };
}

export interface ResolveContext {
  readonly region: string;
  readonly account: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const stringProp = (resource: CfnResource, name: string, fallback: string): string => {
  const value = resource.Properties?.[name];
  return typeof value === "string" ? value : fallback;
};

/** The templates of one app: a resource's logical id is looked up across all of them. */
export class TemplateResolver {
  private readonly resources = new Map<string, CfnResource>();
  private readonly exports = new Map<string, unknown>();

  constructor(
    templates: readonly CfnTemplate[],
    private readonly context: ResolveContext,
  ) {
    for (const template of templates) {
      for (const [id, resource] of Object.entries(template.Resources ?? {})) this.resources.set(id, resource);
      for (const output of Object.values(template.Outputs ?? {})) {
        if (typeof output.Export?.Name === "string") this.exports.set(output.Export.Name, output.Value);
      }
    }
  }

  resource(logicalId: string): CfnResource | undefined {
    return this.resources.get(logicalId);
  }

  /** Every resource of a type, by logical id. */
  ofType(type: string): [string, CfnResource][] {
    return [...this.resources].filter(([, resource]) => resource.Type === type);
  }

  /** A value as a string (intrinsics resolved); throws on what it cannot resolve. */
  resolve(value: unknown): string {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    const resolved = this.resolveAny(value);
    if (typeof resolved === "string") return resolved;
    throw new Error(`cannot resolve ${JSON.stringify(value)} to a string`);
  }

  /** Resolves intrinsics anywhere inside a structured value. */
  resolveDeep(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolveDeep(item));
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0]?.startsWith("Fn::"))) return this.resolveAny(value);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, this.resolveDeep(inner)]));
  }

  private resolveAny(value: unknown): string | string[] {
    if (typeof value === "string") return value;
    if (typeof value === "number") return String(value);
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (!isRecord(value)) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    if (typeof value.Ref === "string") return this.ref(value.Ref);
    const getAtt = value["Fn::GetAtt"];
    if (Array.isArray(getAtt) && typeof getAtt[0] === "string" && typeof getAtt[1] === "string") {
      return this.attribute(getAtt[0], getAtt[1]);
    }
    const join = value["Fn::Join"];
    if (Array.isArray(join) && typeof join[0] === "string") {
      const parts = this.resolveAny(join[1]);
      return (Array.isArray(parts) ? parts : [parts]).join(join[0]);
    }
    const split = value["Fn::Split"];
    if (Array.isArray(split) && typeof split[0] === "string") return this.resolve(split[1]).split(split[0]);
    const select = value["Fn::Select"];
    if (Array.isArray(select)) {
      const list = this.resolveAny(select[1]);
      const item = (Array.isArray(list) ? list : [list])[Number(select[0])];
      if (item === undefined) throw new Error(`Fn::Select out of range: ${JSON.stringify(select)}`);
      return item;
    }
    const imported = value["Fn::ImportValue"];
    if (imported !== undefined) {
      const name = this.resolve(imported);
      if (!this.exports.has(name)) throw new Error(`no stack exports ${name}`);
      return this.resolveAny(this.exports.get(name));
    }
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  }

  private ref(name: string): string {
    const pseudo: Record<string, string> = {
      "AWS::Region": this.context.region,
      "AWS::AccountId": this.context.account,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::StackName": "stack",
    };
    if (pseudo[name] !== undefined) return pseudo[name];
    const resource = this.resources.get(name);
    if (resource === undefined) throw new Error(`Ref to ${name}, which is in no template`);
    const { region, account } = this.context;
    const queueName = stringProp(resource, "QueueName", name);
    switch (resource.Type) {
      case "AWS::SQS::Queue":
        return `https://sqs.${region}.amazonaws.com/${account}/${queueName}`;
      case "AWS::DynamoDB::GlobalTable":
      case "AWS::DynamoDB::Table":
        return stringProp(resource, "TableName", name);
      case "AWS::Events::EventBus":
        return stringProp(resource, "Name", name);
      case "AWS::Lambda::Function":
        return stringProp(resource, "FunctionName", name);
      case "AWS::KMS::Key":
        return name;
      case "AWS::ApiGateway::UsagePlan":
        // Its id; the local stand-in names it after the usage plan.
        return stringProp(resource, "UsagePlanName", name);
      default:
        return this.attribute(name, "Arn");
    }
  }

  private attribute(logicalId: string, attribute: string): string {
    const resource = this.resources.get(logicalId);
    if (resource === undefined) throw new Error(`Fn::GetAtt of ${logicalId}, which is in no template`);
    const { region, account } = this.context;
    const arn = (service: string, resourcePart: string) => `arn:aws:${service}:${region}:${account}:${resourcePart}`;
    const named = (property: string) => stringProp(resource, property, logicalId);
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case "AWS::SQS::Queue.Arn":
        return arn("sqs", named("QueueName"));
      case "AWS::SQS::Queue.QueueName":
        return named("QueueName");
      case "AWS::SQS::Queue.QueueUrl":
        return this.ref(logicalId);
      case "AWS::DynamoDB::GlobalTable.Arn":
      case "AWS::DynamoDB::Table.Arn":
        return arn("dynamodb", `table/${named("TableName")}`);
      case "AWS::KMS::Key.Arn":
        return arn("kms", `key/${logicalId}`);
      case "AWS::Events::EventBus.Arn":
        return arn("events", `event-bus/${named("Name")}`);
      case "AWS::Events::EventBus.Name":
        return named("Name");
      case "AWS::Lambda::Function.Arn":
        return arn("lambda", `function:${named("FunctionName")}`);
      case "AWS::StepFunctions::StateMachine.Arn":
        return arn("states", `stateMachine:${named("StateMachineName")}`);
      case "AWS::StepFunctions::StateMachine.Name":
        return named("StateMachineName");
      case "AWS::SecretsManager::Secret.Arn":
        return arn("secretsmanager", `secret:${named("Name")}-AbCdEf`);
      case "AWS::SNS::Topic.TopicArn":
        return arn("sns", named("TopicName"));
      case "AWS::IAM::Role.Arn":
        return `arn:aws:iam::${account}:role/${logicalId}`;
      case "AWS::Logs::LogGroup.Arn":
        return arn("logs", `log-group:${named("LogGroupName")}:*`);
      default:
        return `${logicalId}.${attribute}`;
    }
  }
}
