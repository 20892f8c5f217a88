import { createHash } from "node:crypto";
import { type CfnElement, Stack } from "aws-cdk-lib";
import { Construct } from "constructs";

/**
 * A construct that groups a stack's code (the API, the workflows, observability…) without
 * renaming what it holds: its id takes no part in its children's logical ids. A deployed
 * REST API, stage or named resource whose logical id changed would be replaced, and a
 * replacement with the same name fails (or gives the API a new URL).
 */
export class Layer extends Construct {}

const HIDDEN_ID = "Default";
const HIDDEN_FROM_HUMAN_ID = "Resource";

const alphanumeric = (text: string) => text.replace(/[^A-Za-z0-9]/g, "");

/** CDK's logical id of a construct path (aws-cdk-lib core/lib/private/uniqueid.ts, `makeUniqueId`). */
export const logicalIdOf = (path: readonly string[]): string => {
  const components = path.filter((component) => component !== HIDDEN_ID);
  if (components.length === 1 && alphanumeric(components[0] ?? "").length <= 255) {
    return alphanumeric(components[0] ?? "");
  }
  const hash = createHash("md5").update(components.join("/")).digest("hex").slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const component of components) {
    if (human.length === 0 || !(human[human.length - 1] ?? "").endsWith(component)) human.push(component);
  }
  return (
    human
      .filter((component) => component !== HIDDEN_FROM_HUMAN_ID)
      .map(alphanumeric)
      .join("")
      .slice(0, 240) + hash
  );
};

/** A stack whose Layers are invisible in logical ids. */
export class LayeredStack extends Stack {
  protected override allocateLogicalId(element: CfnElement): string {
    const scopes = element.node.scopes;
    const below = scopes.slice(scopes.indexOf(this) + 1);
    if (!below.some((scope) => scope instanceof Layer)) return super.allocateLogicalId(element);
    return logicalIdOf(below.filter((scope) => !(scope instanceof Layer)).map((scope) => scope.node.id));
  }
}
