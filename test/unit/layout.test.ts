import { App, CfnResource, Stack } from "aws-cdk-lib";
import { Construct } from "constructs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Layer, LayeredStack, logicalIdOf } from "../../lib/cloud/layout";

/**
 * The stateless stack's Layers group code without renaming resources: an element inside a
 * Layer gets the logical id CDK gives it without the Layer, by CDK's own algorithm.
 */
const leafIn = (stack: Stack, path: readonly string[], layerAt?: number): CfnResource => {
  let scope: Construct = stack;
  path.slice(0, -1).forEach((id, index) => {
    if (index === layerAt) scope = new Layer(scope, `Layer${index}`);
    scope = new Construct(scope, id);
  });
  return new CfnResource(scope, path[path.length - 1] ?? "Leaf", { type: "Test::Thing" });
};

const segment = fc.oneof(
  fc.constantFrom("Default", "Resource", "Api", "ApiApi", "Fn", "Route-createOrder", "a.b"),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/),
);
const uniquePath = fc
  .uniqueArray(segment, { minLength: 1, maxLength: 5 })
  .filter((path) => path.some((id) => id !== "Default"));

describe("logical ids under Layers", () => {
  test("logicalIdOf is CDK's own logical id of a path", () => {
    fc.assert(
      fc.property(uniquePath, (path) => {
        const stack = new Stack(new App(), "S");
        expect(logicalIdOf(path)).toBe(stack.getLogicalId(leafIn(stack, path)));
      }),
      { numRuns: 200 },
    );
  });

  test("a Layer anywhere in the path leaves the logical id as it was", () => {
    fc.assert(
      fc.property(uniquePath, fc.nat(), (path, at) => {
        const plain = new Stack(new App(), "S");
        const layered = new LayeredStack(new App(), "S");
        const layerAt = path.length > 1 ? at % (path.length - 1) : undefined;
        expect(layered.getLogicalId(leafIn(layered, path, layerAt))).toBe(plain.getLogicalId(leafIn(plain, path)));
      }),
      { numRuns: 200 },
    );
  });

  test("a long path keeps CDK's limits (human part cut at 240, 8-character hash)", () => {
    const path = ["A".repeat(200), "B".repeat(200), "Leaf"];
    const stack = new Stack(new App(), "S");
    const id = logicalIdOf(path);
    expect(id).toBe(stack.getLogicalId(leafIn(stack, path)));
    expect(id).toHaveLength(248);
  });
});
