import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { ALARM_THRESHOLDS } from "../../lib/cloud/alarm-thresholds";
import { DASHBOARD_WIDGETS } from "../../lib/cloud/dashboard";
import { PROJECT_ROOT } from "../../lib/cloud/gateway-function";
import { ALL_ROUTES, METRICS } from "../../lib/resources";
import type { CfnTemplate, TemplateResolver } from "../../lib/template/resolve";
import { synthesized } from "./synthesized";

/** What an operator is given: a runbook section per alarm, OK notifications, and a dashboard with every widget. */

let stateless: CfnTemplate;
let resolver: TemplateResolver;
const PREFIX = "aviaframe-dev-";

beforeAll(() => {
  ({ stateless, resolver } = synthesized());
});

const ofType = (type: string) =>
  Object.entries(stateless.Resources ?? {}).filter(([, resource]) => resource.Type === type);

const alarmNames = () =>
  ofType("AWS::CloudWatch::Alarm").map(([, alarm]) => resolver.resolve(alarm.Properties?.AlarmName));

describe("alarms and their runbook", () => {
  test("every alarm has a docs/RUNBOOK.md section of its name, and its description points there", () => {
    const runbook = readFileSync(join(PROJECT_ROOT, "docs/RUNBOOK.md"), "utf8");
    const sections = new Set([...runbook.matchAll(/^## (\S+)\s*$/gm)].map((match) => match[1]));
    const names = alarmNames();
    expect(names.length).toBeGreaterThanOrEqual(17);
    const missing = names.map((name) => name.replace(PREFIX, "")).filter((name) => !sections.has(name));
    expect(missing).toEqual([]);
    // And no section for an alarm that does not exist (a renamed alarm leaves none behind).
    const unknown = [...sections].filter((section) => !names.includes(`${PREFIX}${section}`));
    expect(unknown).toEqual([]);
    for (const [, alarm] of ofType("AWS::CloudWatch::Alarm")) {
      const name = resolver.resolve(alarm.Properties?.AlarmName).replace(PREFIX, "");
      expect(String(alarm.Properties?.AlarmDescription)).toContain(`docs/RUNBOOK.md#${name}`);
    }
  });

  test("each alarm notifies when it fires and when it clears", () => {
    for (const [id, alarm] of ofType("AWS::CloudWatch::Alarm")) {
      expect(alarm.Properties?.AlarmActions, id).toHaveLength(1);
      expect(alarm.Properties?.OKActions, id).toEqual(alarm.Properties?.AlarmActions);
    }
  });

  test("Lambda errors and throttles, API 5xx and p95 latency, DynamoDB throttles and queue age are alarmed", () => {
    const names = alarmNames().map((name) => name.replace(PREFIX, ""));
    for (const name of [
      "lambda-errors",
      "lambda-throttles",
      "api-5xx",
      "api-latency-p95",
      "dynamodb-throttles",
      "ticketing-oldest-message",
      "callbacks-oldest-message",
    ]) {
      expect(names).toContain(name);
    }
    const byName = (name: string) =>
      ofType("AWS::CloudWatch::Alarm").find(
        ([, alarm]) => resolver.resolve(alarm.Properties?.AlarmName) === `${PREFIX}${name}`,
      )?.[1].Properties ?? {};
    expect(byName("api-latency-p95").ExtendedStatistic).toBe("p95");
    expect(byName("ticketing-oldest-message").MetricName).toBe("ApproximateAgeOfOldestMessage");
    // An alarm's metric math may use at most 10 metrics.
    for (const name of ["lambda-errors", "lambda-throttles", "dynamodb-throttles"]) {
      const metrics = (byName(name).Metrics as { MetricStat?: unknown }[] | undefined) ?? [];
      expect(metrics.filter((metric) => metric.MetricStat !== undefined).length, name).toBeGreaterThan(0);
      expect(metrics.filter((metric) => metric.MetricStat !== undefined).length, name).toBeLessThanOrEqual(10);
    }
  });

  test("a dev stage uses the sandbox thresholds, stricter ones apply in prod", () => {
    const threshold = (name: string) =>
      ofType("AWS::CloudWatch::Alarm").find(
        ([, alarm]) => resolver.resolve(alarm.Properties?.AlarmName) === `${PREFIX}${name}`,
      )?.[1].Properties?.Threshold;
    expect(threshold("drct-429")).toBe(ALARM_THRESHOLDS.sandbox.drct429);
    expect(threshold("api-latency-p95")).toBe(ALARM_THRESHOLDS.sandbox.apiLatencyP95Ms);
    for (const [key, value] of Object.entries(ALARM_THRESHOLDS.prod)) {
      expect(value, key).toBeLessThanOrEqual(ALARM_THRESHOLDS.sandbox[key as keyof typeof ALARM_THRESHOLDS.prod]);
    }
  });
});

describe("the operations dashboard", () => {
  const body = (): string => {
    const [[, dashboard] = []] = ofType("AWS::CloudWatch::Dashboard");
    return resolver.resolve(dashboard?.Properties?.DashboardBody);
  };

  test("has every widget the on-call engineer needs", () => {
    const widgets = (JSON.parse(body()) as { widgets: { properties: { title?: string } }[] }).widgets;
    const titles = widgets.map((widget) => widget.properties.title).filter(Boolean);
    expect(new Set(titles)).toEqual(new Set(Object.values(DASHBOARD_WIDGETS)));
  });

  test("shows DRCT outcomes and latency percentiles, every route, callbacks and searches by their metrics", () => {
    const text = body();
    for (const stat of ["p50", "p95", "p99"]) expect(text).toContain(`"stat":"${stat}"`);
    for (const route of ALL_ROUTES) expect(text).toContain(`"Resource","${route.path}"`);
    for (const metric of [METRICS.drctCalls, METRICS.searches, METRICS.callbackAttempts]) {
      expect(text).toContain(`"${metric.name}"`);
    }
    for (const metric of ["5XXError", "4XXError", "ApproximateAgeOfOldestMessage", "ExecutionsFailed"]) {
      expect(text).toContain(metric);
    }
    expect(text).toContain("SEARCH(");
  });
});
