import { describe, expect, test } from "vitest";
import { prettyLogLine } from "../../lib/local/pretty-log";

describe("LOG_FORMAT=pretty", () => {
  test("a Powertools JSON line becomes time, level, message, the fields that matter and the correlation id", () => {
    const line = JSON.stringify({
      level: "INFO",
      message: "request handled",
      timestamp: "2027-03-01T09:30:12.418Z",
      service: "aviaframe",
      cold_start: false,
      function_name: "searchOffers",
      correlation_id: "abc-1",
      route: "/public/offers/search",
      status: 200,
      details: { reason: "two words" },
    });
    expect(prettyLogLine(line)).toBe(
      '09:30:12.418 INFO  request handled  route=/public/offers/search status=200 details={"reason":"two words"} [abc-1]',
    );
  });

  test("anything that is not a log line passes as it is", () => {
    for (const line of ["Aviaframe gateway (local) is up.", "", "[1,2]", '{"no":"message"}']) {
      expect(prettyLogLine(line)).toBe(line);
    }
  });
});
