/**
 * The synthesized app as a deploy would run it: one synth (./synthesized.ts) for every suite.
 * - function-access: each function's environment and role against what its bundle reaches;
 * - deploy-safety: alarms, queues, firewall, tenants' keys, events that cannot be dropped;
 * - workflows: the lifecycle ends on every settled status, the sweep fits its budget;
 * - least-privilege: read routes write nothing, the PII key and order events are for few.
 * - observability: a runbook section per alarm, OK actions, the dashboard's widgets.
 */
import "./function-access.suite";
import "./deploy-safety.suite";
import "./workflows.suite";
import "./least-privilege.suite";
import "./observability.suite";
