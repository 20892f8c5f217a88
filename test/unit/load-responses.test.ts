import { describe, expect, test } from "vitest";
import { completeResponse } from "../../bench/throughput";

const bytes = (text: string) => Buffer.from(text, "latin1");

describe("the load generator's response framing", () => {
  test("ends a Content-Length response after its body, not before", () => {
    const whole = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}';
    expect(completeResponse(bytes(whole.slice(0, -1)), 0)).toBeUndefined();
    expect(completeResponse(bytes(whole), 0)).toEqual({ end: whole.length, status: 200 });
  });

  test("walks chunked bodies to the last chunk", () => {
    const whole = "HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    expect(completeResponse(bytes(whole.slice(0, -2)), 0)).toBeUndefined();
    expect(completeResponse(bytes(whole), 0)).toEqual({ end: whole.length, status: 404 });
  });

  test("finds a response that starts after an earlier one", () => {
    const first = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
    const second = "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\n\r\n";
    const both = bytes(first + second);
    expect(completeResponse(both, first.length)).toEqual({ end: both.length, status: 429 });
  });
});
