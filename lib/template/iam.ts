import type { TemplateResolver } from "./resolve";

/**
 * The identity-policy part of IAM's evaluation, over the statements a template gives a role:
 * a call is allowed when an Allow statement matches its action and resource and no Deny
 * does. Actions and resources match with IAM's `*` and `?` wildcards, actions case-blind.
 */
export interface PolicyStatement {
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** `Condition` blocks: operator → key → allowed values. Only StringEquals is understood. */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** The request's condition keys, e.g. `events:source` of one PutEvents entry. */
export type RequestContext = Readonly<Record<string, string>>;

/**
 * Whether a statement's conditions hold for the request. An operator this evaluator does not
 * know never holds: an Allow with it grants nothing locally, which fails safe (a grant AWS
 * would give is missing here, never the other way round).
 */
const conditionsHold = (statement: PolicyStatement, context: RequestContext): boolean =>
  Object.entries(statement.conditions ?? {}).every(
    ([operator, keys]) =>
      operator === "StringEquals" &&
      Object.entries(keys).every(([key, values]) => {
        const actual = context[key];
        return actual !== undefined && values.includes(actual);
      }),
  );

const compiled = new Map<string, RegExp>();

/** IAM's pattern as a regular expression, compiled once: every local AWS call is evaluated. */
const wildcard = (pattern: string, flags = ""): RegExp => {
  const key = `${flags}:${pattern}`;
  let regex = compiled.get(key);
  if (regex === undefined) {
    regex = new RegExp(
      `^${pattern
        .split("")
        .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("")}$`,
      flags,
    );
    compiled.set(key, regex);
  }
  return regex;
};

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

export class RolePolicy {
  constructor(readonly statements: readonly PolicyStatement[]) {}

  private matching(effect: "Allow" | "Deny", action: string, resource: string, context: RequestContext): boolean {
    return this.statements.some(
      (statement) =>
        statement.effect === effect &&
        statement.actions.some((pattern) => wildcard(pattern, "i").test(action)) &&
        statement.resources.some((pattern) => wildcard(pattern).test(resource)) &&
        conditionsHold(statement, context),
    );
  }

  allows(action: string, resource: string, context: RequestContext = {}): boolean {
    return this.matching("Allow", action, resource, context) && !this.matching("Deny", action, resource, context);
  }

  /** The same policy without the statements `drop` picks (tests take grants away one at a time). */
  without(drop: (statement: PolicyStatement) => boolean): RolePolicy {
    return new RolePolicy(this.statements.filter((statement) => !drop(statement)));
  }
}

/** The statements of every AWS::IAM::Policy attached to a role, resolved to concrete ARNs. */
export const rolePolicy = (resolver: TemplateResolver, roleLogicalId: string): RolePolicy => {
  const statements: PolicyStatement[] = [];
  for (const [, policy] of resolver.ofType("AWS::IAM::Policy")) {
    const roles = list(policy.Properties?.Roles);
    if (!roles.some((role) => typeof role === "object" && role !== null && "Ref" in role && role.Ref === roleLogicalId))
      continue;
    const document = policy.Properties?.PolicyDocument as { Statement?: unknown } | undefined;
    for (const raw of list(document?.Statement) as Record<string, unknown>[]) {
      const conditions = raw.Condition as Record<string, Record<string, unknown>> | undefined;
      statements.push({
        effect: raw.Effect === "Deny" ? "Deny" : "Allow",
        actions: list(raw.Action).map((action) => resolver.resolve(action)),
        resources: list(raw.Resource).map((resource) => resolver.resolve(resource)),
        ...(conditions === undefined
          ? {}
          : {
              conditions: Object.fromEntries(
                Object.entries(conditions).map(([operator, keys]) => [
                  operator,
                  Object.fromEntries(
                    Object.entries(keys).map(([key, values]) => [
                      key,
                      list(values).map((value) => resolver.resolve(value)),
                    ]),
                  ),
                ]),
              ),
            }),
      });
    }
  }
  return new RolePolicy(statements);
};

/** A Lambda function's role policy (its Role is `Fn::GetAtt [role, Arn]`). */
export const functionPolicy = (resolver: TemplateResolver, functionLogicalId: string): RolePolicy => {
  const role = resolver.resource(functionLogicalId)?.Properties?.Role as { "Fn::GetAtt"?: unknown[] } | undefined;
  const roleId = role?.["Fn::GetAtt"]?.[0];
  if (typeof roleId !== "string") throw new Error(`${functionLogicalId} has no role`);
  return rolePolicy(resolver, roleId);
};

/** A Lambda function's environment as CloudFormation would set it. */
export const functionEnvironment = (resolver: TemplateResolver, functionLogicalId: string): Record<string, string> => {
  const environment = resolver.resource(functionLogicalId)?.Properties?.Environment as
    | { Variables?: Record<string, unknown> }
    | undefined;
  return Object.fromEntries(
    Object.entries(environment?.Variables ?? {}).map(([name, value]) => [name, resolver.resolve(value)]),
  );
};
