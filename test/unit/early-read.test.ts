import { describe, expect, test } from "vitest";
import { readEarly } from "../../functions/use-cases/early-read";

describe("a read started early", () => {
  test("that fails and is never awaited is no unhandled rejection (vitest fails the run on one)", async () => {
    readEarly(Promise.reject(new Error("the table is unavailable")));
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  test("that fails surfaces where it is awaited", async () => {
    const read = readEarly(Promise.reject(new Error("the table is unavailable")));
    await expect(read).rejects.toThrow("the table is unavailable");
  });
});
