// The analyst console. Every value that reaches the page comes from request events an attacker writes (account,
// org and key ids, user agents, evidence names), so it is only ever set as text (textContent), never as markup, and
// the Content-Security-Policy allows no inline script. The session is an HttpOnly cookie set by POST /session: no
// token is kept by this script or put in a URL.
"use strict";

const $ = (selector) => document.querySelector(selector);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  if (className) {
    node.className = className;
  }
  return node;
}

function severityBadge(severity) {
  return el("span", severity, "sev sev-" + (["LOW", "MEDIUM", "HIGH", "CRITICAL"].includes(severity) ? severity : "LOW"));
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({credentials: "same-origin"}, options || {}));
  if (response.status === 401) {
    showLogin();
    throw new Error("signed out");
  }
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.error || ("HTTP " + response.status));
  }
  return body;
}

function showLogin() {
  $("#console").hidden = true;
  $("#login").hidden = false;
}

async function signIn(event) {
  event.preventDefault();
  $("#login-error").textContent = "";
  const response = await fetch("/session", {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({token: $("#token").value})
  });
  $("#token").value = "";
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    $("#login-error").textContent = body.error || "sign-in failed";
    return;
  }
  start();
}

function query() {
  const params = new URLSearchParams();
  params.set("severity", $("#f-severity").value);
  if ($("#f-detector").value) {
    params.set("detector", $("#f-detector").value);
  }
  if ($("#f-status").value) {
    params.set("status", $("#f-status").value);
  }
  if ($("#f-since").value) {
    params.set("since", new Date(Date.now() - Number($("#f-since").value) * 3600000).toISOString());
  }
  return params.toString();
}

let refreshTimer = null;
let openCase = null;

function scheduleRefresh() {
  if (refreshTimer === null) {
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, 500);
  }
}

async function refresh() {
  const body = await api("/api/cases?" + query());
  const detectors = $("#f-detector");
  const chosen = detectors.value;
  for (const name of body.detectors) {
    if (![...detectors.options].some((o) => o.value === name)) {
      detectors.append(new Option(name, name));
    }
  }
  detectors.value = chosen;
  $("#queue-summary").textContent = body.cases.length + " cases from " + body.alerts + " alerts in view ("
      + body.buffered + " alerts held; " + body.suppressed + " alerts suppressed by dismissals on this instance)";
  const rows = body.cases.map((c) => {
    const row = el("tr", null, "case-row");
    row.dataset.caseId = c.id;
    const severity = el("td");
    severity.append(severityBadge(c.severity));
    const title = el("td");
    title.append(el("div", c.title), el("div", c.summary, "muted"));
    row.append(severity, title, el("td", c.status, "status status-" + c.status), el("td", c.members),
        el("td", c.alerts), el("td", c.detectors.join(", ")),
        el("td", new Date(c.latest).toISOString().replace(".000Z", "Z")));
    row.addEventListener("click", () => showCase(c.id).catch((e) => {
      $("#queue-summary").textContent = "Could not open case " + c.id + ": " + e.message;
    }));
    return row;
  });
  $("#queue tbody").replaceChildren(...rows);
  if (openCase !== null && $("#subject-pane").hidden) {
    showCase(openCase).catch((e) => {
      $("#case-summary").textContent = "This case is no longer among the recent alerts (" + e.message + ")";
    });
  }
}

async function showCase(id) {
  openCase = id;
  const c = await api("/api/cases/" + encodeURIComponent(id));
  // A case listed under one id may have joined a larger one since: follow it under the id it has now.
  openCase = c.id;
  $("#case-pane").hidden = false;
  $("#queue-pane").hidden = true;
  $("#case-title").replaceChildren(severityBadge(c.severity), document.createTextNode(" " + c.title));
  $("#case-summary").textContent = c.summary;
  $("#case-status").textContent = c.verdict
      ? c.status + " by " + c.verdict.analyst + " at " + c.verdict.decided_at
        + (c.verdict.reason ? " (" + c.verdict.reason + ")" : "")
        + (c.verdict.note ? ": " + c.verdict.note : "")
        + (c.verdict.suppress_until ? "; alerts on its subjects suppressed until " + c.verdict.suppress_until : "")
      : "open: no verdict yet";
  $("#case-words").replaceChildren(...c.words.map((w) => el("li", w)));
  drawGraph(c.graph);
  drawCaseChart(c);
  $("#case-members tbody").replaceChildren(...c.member_list.map((m) => {
    const row = el("tr");
    const severity = el("td");
    severity.append(severityBadge(m.severity));
    const account = el("td");
    const link = el("a", m.account);
    link.href = "#";
    link.className = "subject-link";
    link.addEventListener("click", (e) => {
      e.preventDefault();
      showSubject("ACCOUNT", m.account);
    });
    account.append(link);
    row.append(account, severity, el("td", m.detectors.join(", ")));
    return row;
  }));
  $("#case-alerts tbody").replaceChildren(...c.alert_list.map((a) => {
    const row = el("tr");
    const severity = el("td");
    severity.append(severityBadge(a.severity));
    const evidence = el("td", null, "evidence");
    for (const e of a.evidence) {
      evidence.append(el("div", e.signal + " " + e.value + (e.threshold ? " / " + e.threshold : "")));
    }
    row.append(el("td", a.trigger_event_time), el("td", a.detector), el("td", a.subject_type + " " + a.subject_id),
        severity, el("td", a.score), evidence);
    return row;
  }));
}

async function recordVerdict(event) {
  event.preventDefault();
  $("#verdict-error").textContent = "";
  const response = await fetch("/api/cases/" + encodeURIComponent(openCase) + "/verdict", {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({verdict: $("#v-kind").value, reason: $("#v-reason").value, note: $("#v-note").value})
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    $("#verdict-error").textContent = body.error || ("HTTP " + response.status);
    return;
  }
  $("#v-note").value = "";
  await showCase(openCase);
}

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, String(value));
  }
  if (text !== undefined) {
    node.textContent = String(text);
  }
  return node;
}

// Attributes (cards, templates, prefixes, addresses, networks) on the left, accounts on the right, a line for each
// tie the alerts name. Drawn with SVG elements and textContent: no markup from the data.
function drawGraph(graph) {
  const box = $("#graph");
  if (!graph || graph.accounts.length === 0) {
    box.replaceChildren();
    $("#graph-caption").textContent = "No ties between accounts in this case's alerts.";
    return;
  }
  $("#graph-caption").textContent = graph.accounts.length + " of " + graph.accounts_tied + " tied accounts and "
      + graph.attributes.length + " attributes that tie them";
  const row = 18;
  const height = Math.max(graph.accounts.length, graph.attributes.length) * row + 20;
  const width = 900;
  const left = 330;
  const right = width - 300;
  const root = svg("svg", {width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
    "aria-label": "accounts and the attributes that tie them"});
  const y = (i, n) => 10 + (i + 0.5) * ((height - 20) / n);
  const attributeY = new Map(graph.attributes.map((a, i) => [a, y(i, graph.attributes.length)]));
  const accountY = new Map(graph.accounts.map((a, i) => [a, y(i, graph.accounts.length)]));
  for (const [account, attribute] of graph.ties) {
    root.append(svg("line", {x1: left, y1: attributeY.get(attribute), x2: right, y2: accountY.get(account),
      class: "tie"}));
  }
  for (const [attribute, ay] of attributeY) {
    root.append(svg("circle", {cx: left, cy: ay, r: 4, class: "attribute"}));
    root.append(svg("text", {x: left - 8, y: ay + 4, "text-anchor": "end", class: "label"}, attribute));
  }
  for (const [account, ay] of accountY) {
    root.append(svg("circle", {cx: right, cy: ay, r: 4, class: "account"}));
    root.append(svg("text", {x: right + 8, y: ay + 4, class: "label"}, account));
  }
  box.replaceChildren(root);
}

const HOUR_MS = 3600000;

// Hourly points [{hour_start, requests, reasoning}] summed by hour, with the empty hours between them filled in, so
// that a gap in activity shows as a gap and not as two adjacent bars.
function hourlySeries(pointLists) {
  const byHour = new Map();
  for (const points of pointLists) {
    for (const p of points) {
      const at = byHour.get(p.hour_start) || {requests: 0, reasoning: 0};
      at.requests += p.requests;
      at.reasoning += p.reasoning;
      byHour.set(p.hour_start, at);
    }
  }
  if (byHour.size === 0) {
    return [];
  }
  const hours = [...byHour.keys()].sort((a, b) => a - b);
  const last = hours[hours.length - 1];
  // At least a day on the axis, so that one busy hour reads as one hour of a day and not as the whole chart.
  const first = Math.min(hours[0], last - 23 * HOUR_MS);
  const series = [];
  for (let h = first; h <= last; h += HOUR_MS) {
    const at = byHour.get(h) || {requests: 0, reasoning: 0};
    series.push({hour_start: h, requests: at.requests, reasoning: at.reasoning});
  }
  return series;
}

// Requests per hour as bars (left scale) and the reasoning share of each active hour as a line (right scale, 0-100 %),
// SVG elements from DOM calls only. Each bar's title says its hour and figures for a reader who hovers.
function drawHourlyChart(box, caption, series, what) {
  if (series.length === 0) {
    box.replaceChildren();
    caption.textContent = "No hourly counts held for " + what + " (the stores keep the current and previous day).";
    return;
  }
  const total = series.reduce((sum, p) => sum + p.requests, 0);
  const reasoning = series.reduce((sum, p) => sum + p.reasoning, 0);
  const active = series.filter((p) => p.requests > 0).length;
  caption.textContent = "Requests per hour (bars) and the share asking for reasoning (line) of " + what + ": "
      + total + " requests in " + active + (active === 1 ? " active hour" : " active hours") + " of the "
      + series.length + " shown, " + pct(total ? reasoning / total : 0) + " reasoning.";
  const width = 900;
  const height = 180;
  const padLeft = 48;
  const padRight = 44;
  const padTop = 10;
  const padBottom = 26;
  const plotW = width - padLeft - padRight;
  const plotH = height - padTop - padBottom;
  const max = Math.max(1, ...series.map((p) => p.requests));
  const step = plotW / series.length;
  const root = svg("svg", {width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
    "aria-label": "requests per hour and reasoning share"});
  root.append(svg("line", {x1: padLeft, y1: padTop + plotH, x2: padLeft + plotW, y2: padTop + plotH, class: "axis"}));
  root.append(svg("text", {x: padLeft - 6, y: padTop + 10, "text-anchor": "end", class: "label"}, max));
  root.append(svg("text", {x: padLeft - 6, y: padTop + plotH, "text-anchor": "end", class: "label"}, 0));
  root.append(svg("text", {x: padLeft + plotW + 6, y: padTop + 10, class: "share-label"}, "100 %"));
  root.append(svg("text", {x: padLeft + plotW + 6, y: padTop + plotH, class: "share-label"}, "0 %"));
  const points = [];
  series.forEach((p, i) => {
    const h = plotH * p.requests / max;
    const bar = svg("rect", {x: padLeft + i * step + 1, y: padTop + plotH - h, width: Math.max(1, step - 2),
      height: h, class: "bar"});
    bar.append(svg("title", {}, new Date(p.hour_start).toISOString().slice(0, 13).replace("T", " ") + ":00Z  "
        + p.requests + " requests, " + p.reasoning + " asking for reasoning"));
    root.append(bar);
    if (p.requests > 0) {
      const x = padLeft + (i + 0.5) * step;
      const y = padTop + plotH * (1 - p.reasoning / p.requests);
      points.push(x + "," + y);
      root.append(svg("circle", {cx: x, cy: y, r: 3, class: "share-point"}));
    }
  });
  if (points.length > 0) {
    root.append(svg("polyline", {points: points.join(" "), class: "share"}));
  }
  const label = (ms) => new Date(ms).toISOString().slice(5, 13).replace("T", " ") + "h";
  root.append(svg("text", {x: padLeft, y: height - 8, class: "label"}, label(series[0].hour_start)));
  root.append(svg("text", {x: padLeft + plotW, y: height - 8, "text-anchor": "end", class: "label"},
      label(series[series.length - 1].hour_start)));
  box.replaceChildren(root);
}

// The chart of a case: its member accounts' hourly counts from the state stores, each read through the route that
// finds the instance holding it. The first MAX_CHARTED members, to keep a case's opening quick.
const MAX_CHARTED = 40;

// A case open while alerts stream in is redrawn on each of them; its chart, one read per member, at most this often.
const CHART_REFRESH_MS = 15000;
let chartDrawn = {id: null, at: 0};

async function drawCaseChart(c) {
  if (chartDrawn.id === c.id && Date.now() - chartDrawn.at < CHART_REFRESH_MS) {
    return;
  }
  chartDrawn = {id: c.id, at: Date.now()};
  const box = $("#case-chart");
  const caption = $("#case-chart-caption");
  const accounts = c.member_list.map((m) => m.account).slice(0, MAX_CHARTED);
  if (accounts.length === 0) {
    box.replaceChildren();
    caption.textContent = "This case names no account.";
    return;
  }
  const answers = await Promise.all(accounts.map((a) => api("/accounts/" + encodeURIComponent(a)).catch(() => null)));
  if (openCase !== c.id) {
    return;
  }
  const read = answers.filter((a) => a !== null);
  const series = hourlySeries(read.flatMap((a) => (a.days || []).map((d) => d.hourly || [])));
  const what = read.length + (read.length === 1 ? " member account" : " member accounts")
      + (c.member_list.length > read.length ? " of " + c.member_list.length : "");
  drawHourlyChart(box, caption, series, what);
}

function pct(v) {
  return (typeof v === "number") ? Math.round(v * 100) + " %" : "";
}

// An account's or an address's windows from the state stores (interactive queries), and the alerts naming it.
async function showSubject(type, id) {
  const windows = type === "ACCOUNT"
      ? await api("/accounts/" + encodeURIComponent(id))
      : await api("/ips/" + encodeURIComponent(id));
  const alerts = await api("/api/subjects/" + encodeURIComponent(type + ":" + id) + "/alerts");
  $("#case-pane").hidden = true;
  $("#queue-pane").hidden = true;
  $("#subject-pane").hidden = false;
  $("#subject-title").textContent = (type === "ACCOUNT" ? "Account " : "Address ") + id;
  const rows = [];
  const add = (label, w) => {
    const row = el("tr");
    const spread = w.distinct_asns !== undefined ? w.distinct_asns + " networks, " + w.distinct_countries + " countries"
        : w.distinct_ips !== undefined ? w.distinct_ips + " addresses, " + w.distinct_prefixes + " prefixes"
        : (w.distinct_accounts !== undefined ? w.distinct_accounts + " accounts" : "");
    row.append(el("td", label + " " + new Date(w.window_start).toISOString().slice(0, 16).replace("T", " ")),
        el("td", w.requests), el("td", pct(w.reasoning_share)), el("td", pct(w.single_turn_share)),
        el("td", pct(w.prompt_diversity)), el("td", (w.top_capabilities || []).join(", ")), el("td", spread),
        el("td", w.alert_severity || ""));
    rows.push(row);
  };
  const hourly = type === "ACCOUNT"
      ? (windows.days || []).map((d) => d.hourly || [])
      : [(windows.windows || []).map((w) => ({hour_start: w.window_start, requests: w.requests,
        reasoning: w.reasoning_requests}))];
  drawHourlyChart($("#subject-chart"), $("#subject-chart-caption"), hourlySeries(hourly),
      type === "ACCOUNT" ? "this account" : "this address (its hour windows held now)");
  (windows.days || []).forEach((w) => add("day", w));
  (windows.hours || []).forEach((w) => add("hour", w));
  (windows.windows || []).forEach((w) => add("hour", w));
  $("#subject-windows tbody").replaceChildren(...rows);
  $("#subject-alerts tbody").replaceChildren(...alerts.alerts.map((a) => {
    const row = el("tr");
    const severity = el("td");
    severity.append(severityBadge(a.severity));
    row.append(el("td", a.trigger_event_time), el("td", a.detector), el("td", a.subject_type + " " + a.subject_id),
        severity, el("td", a.case || ""));
    return row;
  }));
}

function closeSubject() {
  $("#subject-pane").hidden = true;
  if (openCase !== null) {
    $("#case-pane").hidden = false;
  } else {
    $("#queue-pane").hidden = false;
  }
}

function closeCase() {
  openCase = null;
  $("#case-pane").hidden = true;
  $("#queue-pane").hidden = false;
}

function listen() {
  const stream = new EventSource("/api/stream");
  stream.addEventListener("open", () => {
    $("#live").textContent = "live";
    $("#live").className = "badge on";
  });
  stream.addEventListener("alert", scheduleRefresh);
  stream.addEventListener("error", () => {
    $("#live").textContent = "reconnecting";
    $("#live").className = "badge off";
  });
}

async function start() {
  let me;
  try {
    me = await api("/api/whoami");
  } catch (e) {
    return;
  }
  $("#analyst").textContent = "signed in as " + me.analyst;
  $("#login").hidden = true;
  $("#console").hidden = false;
  await refresh();
  listen();
}

document.addEventListener("DOMContentLoaded", () => {
  $("#login-form").addEventListener("submit", signIn);
  $("#filters").addEventListener("change", refresh);
  $("#close-case").addEventListener("click", closeCase);
  $("#verdict-form").addEventListener("submit", recordVerdict);
  $("#close-subject").addEventListener("click", closeSubject);
  start();
});
