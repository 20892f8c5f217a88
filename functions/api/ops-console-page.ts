/**
 * The operators' console (GET /ops): one self-contained page — no external script, style,
 * font or image, so it works offline — built on /ops/api. It holds no data itself: it asks
 * for the ops key once (or takes `?ops_key=`, then drops it from the address bar), keeps it
 * for the tab's session and sends it as x-ops-key. Every value is written as text, never as
 * HTML, so nothing in an order or a queue message can run in an operator's browser.
 */
import { createHash } from "node:crypto";

const STYLE = `
:root { font-family: system-ui, sans-serif; font-size: 14px; color: #1b1f24; background: #f6f7f9; }
body { margin: 0; }
header { background: #1b1f24; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: center; }
header h1 { font-size: 16px; margin: 0; }
nav button { background: none; color: #cfd6de; border: 0; padding: 6px 10px; cursor: pointer; font-size: 14px; }
nav button.active { color: #fff; border-bottom: 2px solid #4fa3ff; }
main { padding: 12px 16px; }
section { display: none; } section.active { display: block; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: 6px 0 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
tr.stuck td { background: #fff1f0; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #e3e6ea; }
.badge.bad { background: #ffd6d2; color: #a4160a; } .badge.good { background: #d6f5dd; color: #17602a; }
pre { margin: 0; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
.error { color: #a4160a; } .muted { color: #6b7580; }
button.action { background: #0b66d0; color: #fff; border: 0; border-radius: 4px; padding: 4px 10px; cursor: pointer; }
a { color: #0b66d0; cursor: pointer; text-decoration: underline; }
#key-form { display: none; margin: 24px auto; max-width: 420px; background: #fff; padding: 16px; border-radius: 6px; }
#key-form input { width: 100%; padding: 6px; margin: 8px 0; box-sizing: border-box; }
`;

const SCRIPT = `
"use strict";
const KEY = "aviaframe-ops-key";
const params = new URLSearchParams(location.search);
if (params.has("ops_key")) {
  sessionStorage.setItem(KEY, params.get("ops_key"));
  params.delete("ops_key");
  history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params.toString() : ""));
}
const $ = (selector) => document.querySelector(selector);
const el = (tag, text, attributes) => {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  return node;
};
const table = (headings, rows) => {
  const t = el("table");
  const head = el("tr");
  for (const heading of headings) head.append(el("th", heading));
  t.append(head);
  for (const cells of rows) {
    const row = el("tr");
    for (const cell of cells) {
      const td = el("td");
      if (cell instanceof Node) td.append(cell); else td.textContent = cell === undefined || cell === null ? "" : String(cell);
      row.append(td);
    }
    t.append(row);
  }
  if (rows.length === 0) {
    const row = el("tr");
    row.append(el("td", "none", { colspan: String(headings.length), class: "muted" }));
    t.append(row);
  }
  return t;
};
const badge = (text, kind) => el("span", text, { class: "badge " + (kind || "") });
const json = (value) => el("pre", JSON.stringify(value, null, 1));
const status = $("#status");
const api = async (path, method) => {
  const response = await fetch(path, { method: method || "GET", headers: { "x-ops-key": sessionStorage.getItem(KEY) || "" } });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) { sessionStorage.removeItem(KEY); askKey("That ops key was refused."); throw new Error("unauthorized"); }
  if (!response.ok) throw new Error((body.error && body.error.message) || ("HTTP " + response.status));
  return body;
};
const show = async (name, load) => {
  for (const section of document.querySelectorAll("section")) section.classList.toggle("active", section.id === name);
  for (const button of document.querySelectorAll("nav button")) button.classList.toggle("active", button.dataset.view === name);
  status.textContent = "loading…";
  try { await load(); status.textContent = "updated " + new Date().toLocaleTimeString(); }
  catch (error) { status.textContent = ""; const target = $("#" + name); target.replaceChildren(el("p", String(error.message || error), { class: "error" })); }
};

const loadOrders = async () => {
  const query = new URLSearchParams();
  if ($("#filter-status").value) query.set("status", $("#filter-status").value);
  if ($("#filter-tenant").value.trim()) query.set("tenant_id", $("#filter-tenant").value.trim());
  const board = await api("/ops/api/orders?" + query.toString());
  const rows = board.orders.map((order) => {
    const link = el("a", order.order_id, { "data-order-id": order.order_id });
    link.addEventListener("click", () => openOrder(order.order_id, order.tenant_id));
    return [order.stuck ? badge("stuck", "bad") : "", link, order.tenant_id, order.status, order.age_min + " min", order.updated_at, order.drct_order_id];
  });
  const result = table(["", "order", "tenant", "status", "unchanged for", "updated", "DRCT order"], rows);
  board.orders.forEach((order, index) => { if (order.stuck) result.rows[index + 1].classList.add("stuck"); });
  const counts = Object.entries(board.counts).map(([name, count]) => name + " " + count).join(" · ");
  $("#orders-list").replaceChildren(el("p", counts + " (stuck: unsettled for " + board.stuck_after_min + " min or more)", { class: "muted" }), result);
};

const openOrder = (orderId, tenantId) => show("timeline", async () => {
  const query = tenantId ? "?tenant_id=" + encodeURIComponent(tenantId) : "";
  const t = await api("/ops/api/orders/" + encodeURIComponent(orderId) + query);
  const parts = [el("h2", "Order " + t.order.order_id), el("p", "tenant " + t.order.tenant_id + " · status " + t.order.status + " · created " + t.order.created_at + (t.order.failure ? " · failure " + t.order.failure.code : ""))];
  parts.push(el("h3", "History"), table(["at", "status", "reason"], t.history.map((entry) => [entry.at, entry.status, entry.reason])));
  parts.push(el("h3", "Workflow executions"));
  for (const execution of t.executions) {
    const states = el("div", null, { class: "execution", "data-execution": execution.name });
    states.append(el("p", execution.name + " · " + execution.status + " · " + (execution.started_at || "")));
    states.append(table(["state", "entered", "exited", "outcome"], execution.states.map((state) => [state.name, state.entered_at, state.exited_at, state.outcome + (state.error ? " (" + state.error + ")" : "")])));
    parts.push(states);
  }
  if (t.executions.length === 0) parts.push(el("p", "none", { class: "muted" }));
  parts.push(el("h3", "DRCT calls"), table(["at", "operation", "status", "latency ms", "retries", "correlation id"], t.drct_calls.map((call) => [call.at, call.operation, call.status, call.latency_ms, call.retry_count, call.correlation_id])));
  parts.push(el("h3", "Callback deliveries"), table(["delivery", "event", "status", "replays", "attempts"], t.deliveries.map((delivery) => [delivery.id, delivery.event_type, delivery.status, delivery.replays, delivery.attempts.map((attempt) => "#" + attempt.number + " " + attempt.at + " " + attempt.outcome + (attempt.status_code ? " " + attempt.status_code : "") + (attempt.error ? " " + attempt.error : "")).join("\\n")])));
  parts.push(el("h3", "Audit"), table(["version", "at", "from", "to", "actor", "reason", "correlation id"], t.audit.map((entry) => [entry.version, entry.at, entry.from, entry.to, entry.actor, entry.reason, entry.correlation_id])));
  $("#timeline").replaceChildren(...parts);
});

const loadDeadLetters = async () => {
  const { queues } = await api("/ops/api/dead-letters");
  const parts = [];
  for (const queue of queues) {
    const box = el("div", null, { class: "dlq", "data-queue": queue.name });
    const redrive = el("button", "Redrive to " + queue.source, { class: "action", "data-redrive": queue.name });
    redrive.addEventListener("click", async () => {
      redrive.disabled = true;
      try { await api("/ops/api/dead-letters/" + encodeURIComponent(queue.name) + "/redrive", "POST"); box.append(el("p", "redrive started", { class: "redrive-started" })); }
      catch (error) { box.append(el("p", String(error.message), { class: "error" })); }
    });
    box.append(el("h3", queue.name + " — " + queue.count + " message(s)"), redrive);
    box.append(table(["message", "order", "delivery", "body (personal data masked)"], queue.messages.map((message) => [message.id, message.order_id, message.delivery_id, json(message.body)])));
    parts.push(box);
  }
  $("#dead-letters").replaceChildren(...parts);
};

const loadSupplier = async () => {
  const s = await api("/ops/api/supplier");
  const breaker = s.breaker.status || "closed";
  $("#supplier").replaceChildren(
    el("h3", "Breaker"), badge(breaker, breaker === "closed" ? "good" : "bad"), json(s.breaker),
    el("h3", "Budgets (time until the next call is free)"), table(["bucket", "next free in ms", "waiting"], s.budgets.map((b) => [b.bucket, b.next_free_in_ms, b.waiting])),
    el("h3", "Recent DRCT outcomes"), el("p", Object.entries(s.recent_outcomes).map(([k, v]) => k + ": " + v).join(" · ") || "no calls today", { class: "muted" }),
    table(["at", "tenant", "operation", "status", "latency ms", "retries"], s.recent_calls.map((c) => [c.at, c.tenant_id, c.operation, c.status, c.latency_ms, c.retry_count])),
  );
};

const loadExecutions = async () => {
  const { executions } = await api("/ops/api/executions?status=" + encodeURIComponent($("#execution-status") ? $("#execution-status").value : "FAILED"));
  const rows = executions.map((execution) => {
    const redrive = el("button", "Redrive", { class: "action" });
    redrive.addEventListener("click", async () => {
      redrive.disabled = true;
      try { await api("/ops/api/executions/" + encodeURIComponent(execution.workflow) + "/" + encodeURIComponent(execution.name) + "/redrive", "POST"); redrive.textContent = "redriven"; }
      catch (error) { redrive.textContent = String(error.message); }
    });
    return [execution.workflow, execution.name, execution.status, execution.started_at, execution.stopped_at, execution.status === "FAILED" ? redrive : ""];
  });
  $("#executions-list").replaceChildren(table(["workflow", "execution", "status", "started", "stopped", ""], rows));
};

const views = { orders: loadOrders, "dead-letters": loadDeadLetters, supplier: loadSupplier, executions: loadExecutions };
for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => show(button.dataset.view, views[button.dataset.view]));
}
$("#filter-status").addEventListener("change", () => show("orders", loadOrders));
$("#filter-tenant").addEventListener("change", () => show("orders", loadOrders));
$("#execution-status").addEventListener("change", () => show("executions", loadExecutions));
const askKey = (message) => {
  $("#key-form").style.display = "block";
  $("#key-message").textContent = message || "";
};
$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY, $("#key-input").value.trim());
  $("#key-form").style.display = "none";
  show("orders", loadOrders);
});
if (sessionStorage.getItem(KEY)) show("orders", loadOrders); else askKey();
`;

const BODY = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aviaframe operations</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Aviaframe operations</h1>
  <nav>
    <button data-view="orders">Orders</button>
    <button data-view="dead-letters">Dead letters</button>
    <button data-view="supplier">Supplier</button>
    <button data-view="executions">Executions</button>
  </nav>
  <span id="status" class="muted"></span>
</header>
<main>
  <form id="key-form">
    <label for="key-input">Ops key (printed by <code>npm start</code>, or OPS_KEY)</label>
    <input id="key-input" type="password" autocomplete="off">
    <button class="action" type="submit">Open</button>
    <p id="key-message" class="error"></p>
  </form>
  <section id="orders">
    <label>Status <select id="filter-status">
      <option value="">all</option><option>PENDING</option><option>PENDING_RECONCILE</option><option>BOOKED</option>
      <option>ISSUING</option><option>ISSUED</option><option>CANCELLED</option><option>FAILED</option>
    </select></label>
    <label>Tenant <input id="filter-tenant" placeholder="any"></label>
    <div id="orders-list"></div>
  </section>
  <section id="timeline"></section>
  <section id="dead-letters"></section>
  <section id="supplier"></section>
  <section id="executions">
    <label>Status <select id="execution-status">
      <option>FAILED</option><option>RUNNING</option><option>TIMED_OUT</option><option>ABORTED</option><option>SUCCEEDED</option>
    </select></label>
    <div id="executions-list"></div>
  </section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** Only the page's own inline script and style run; it may talk to the gateway that served it, nothing else. */
export const OPS_CONSOLE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const OPS_CONSOLE_PAGE = BODY;
