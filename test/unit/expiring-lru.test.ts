import { describe, expect, test } from "vitest";
import { ExpiringLru } from "../../functions/shared/expiring-lru";

describe("ExpiringLru", () => {
  test("an entry is kept until its own time, not at or after it", () => {
    const lru = new ExpiringLru<string>(10);
    lru.set("a", "kept", 1_000);
    expect(lru.get("a", 999)).toBe("kept");
    expect(lru.get("a", 1_000)).toBeUndefined();
    expect(lru.get("a", 0)).toBeUndefined();
  });

  test("when full, the least recently used goes first: a hit keeps an entry", () => {
    const lru = new ExpiringLru<number>(2);
    lru.set("a", 1, 10_000);
    lru.set("b", 2, 10_000);
    expect(lru.get("a", 0)).toBe(1);
    lru.set("c", 3, 10_000);
    expect(lru.get("b", 0)).toBeUndefined();
    expect(lru.get("a", 0)).toBe(1);
    expect(lru.get("c", 0)).toBe(3);
  });

  test("set replaces an entry and its time; delete forgets it", () => {
    const lru = new ExpiringLru<number>(2);
    lru.set("a", 1, 100);
    lru.set("a", 2, 5_000);
    expect(lru.get("a", 1_000)).toBe(2);
    lru.delete("a");
    expect(lru.get("a", 0)).toBeUndefined();
  });
});
