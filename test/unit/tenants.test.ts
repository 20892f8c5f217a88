import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { isTenantId } from "../../functions/domain/tenant";
import { parseMarkup } from "../../lib/tenants";

test.each([
  ["2%", { type: "percent", basis_points: 200 }],
  ["2.5%", { type: "percent", basis_points: 250 }],
  ["0.05%", { type: "percent", basis_points: 5 }],
  ["100%", { type: "percent", basis_points: 10_000 }],
  ["5.00", { type: "fixed", amount: "5.00" }],
  ["12", { type: "fixed", amount: "12" }],
])("markup %s", (text, markup) => {
  expect(parseMarkup(text)).toEqual(markup);
});

test.each(["101%", "-2%", "2 %x", "five", "", "2.555%"])("refuses %j", (text) => {
  expect(() => parseMarkup(text)).toThrow(RangeError);
});

describe("tenant ids (the review's `#` in an id that could collide in idempotency keys)", () => {
  test("only 1–40 lowercase letters, digits and hyphens", () => {
    for (const good of ["agency-a", "a", "x".repeat(40), "agency-42", "9-9"]) expect(isTenantId(good), good).toBe(true);
    for (const bad of ["", "x".repeat(41), "agency#a", "Agency-A", "agency_a", "a b", "a/b", "a\u0000", "ägency"]) {
      expect(isTenantId(bad), bad).toBe(false);
    }
  });

  test("property: no valid id contains a key separator", () => {
    fc.assert(
      fc.property(fc.string(), (candidate) => {
        if (isTenantId(candidate)) expect(candidate).not.toMatch(/[#/\s]/);
      }),
    );
  });
});
