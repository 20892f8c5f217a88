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
}

const wildcard = (pattern: string, flags = ""): RegExp =>
  new RegExp(
    `^${pattern
      .split("")
      .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("")}$`,
    flags,
  );

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

export class RolePolicy {
  constructor(readonly statements: readonly PolicyStatement[]) {}

  private matching(effect: "Allow" | "Deny", action: string, resource: string): boolean {
    return this.statements.some(
      (statement) =>
        statement.effect === effect &&
        statement.actions.some((pattern) => wildcard(pattern, "i").test(action)) &&
        statement.resources.some((pattern) => wildcard(pattern).test(resource)),
    );
  }

  allows(action: string, resource: string): boolean {
    return this.matching("Allow", action, resource) && !this.matching("Deny", action, resource);
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
      statements.push({
        effect: raw.Effect === "Deny" ? "Deny" : "Allow",
        actions: list(raw.Action).map((action) => resolver.resolve(action)),
        resources: list(raw.Resource).map((resource) => resolver.resolve(resource)),
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
