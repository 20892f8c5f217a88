import { expect, test } from "vitest";
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
