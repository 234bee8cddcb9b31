// The HTML report's page (html_page.hpp). The script builds every element with textContent:
// scenario names, messages and frames are data, never markup. The page's state (filters, search,
// the scenario and cell selected) lives in the address's #fragment, so a view can be linked to.
#include "html_page.hpp"

namespace breakout::harness {
namespace {

constexpr std::string_view kHead = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>@TITLE@</title>
<style>
:root { --fg:#1b1b1b; --muted:#555; --line:#c8c8c8; --bg:#fff; --panel:#f4f4f4; --bad:#a4000f; --good:#0a5d1a; --warn:#7a4b00; --focus:#0b57d0; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 12px 16px; border-bottom: 1px solid var(--line); background: var(--panel); }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; } h3 { font-size: 14px; margin: 16px 0 6px; }
.meta { color: var(--muted); margin: 0 0 8px; }
nav { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
fieldset { border: 1px solid var(--line); padding: 4px 8px; margin: 0; } legend { padding: 0 4px; }
fieldset label { margin-right: 10px; white-space: nowrap; }
main { display: grid; grid-template-columns: minmax(240px, 28%) 1fr; min-height: calc(100vh - 110px); }
#list { border-right: 1px solid var(--line); overflow: auto; max-height: calc(100vh - 110px); }
#list ul { list-style: none; margin: 0; padding: 0; }
#list button { display: block; width: 100%; text-align: left; border: 0; border-bottom: 1px solid var(--line); background: none; padding: 6px 10px; font: inherit; cursor: pointer; }
#list button[aria-current="true"] { background: #e3ebf8; font-weight: 600; }
#list small { display: block; color: var(--muted); font-weight: normal; }
#shown { margin: 6px 10px; color: var(--muted); }
#detail { padding: 12px 16px; overflow: auto; max-height: calc(100vh - 110px); min-width: 0; }
.outcome { display: inline-block; min-width: 7.5em; font-weight: 700; font-family: ui-monospace, monospace; }
.o-FAIL, .o-TIMEOUT, .o-XPASS, .o-UNRESOLVED { color: var(--bad); } .o-PASS { color: var(--good); } .o-XFAIL, .o-SKIP { color: var(--warn); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 1px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; white-space: pre-wrap; }
pre, code { font-family: ui-monospace, monospace; font-size: 12.5px; }
pre { background: var(--panel); border: 1px solid var(--line); padding: 8px; overflow: auto; white-space: pre-wrap; word-break: break-word; max-height: 40vh; }
table.versus { border-collapse: collapse; width: 100%; } table.versus th, table.versus td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
table.versus td { font-family: ui-monospace, monospace; font-size: 12.5px; word-break: break-word; white-space: pre-wrap; }
.src { counter-reset: none; } .src span { display: block; } .src .hl { background: #fff2b3; font-weight: 700; } .src .hl::before { content: "▶ "; }
.tl-controls { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-bottom: 6px; }
.tl { position: relative; border: 1px solid var(--line); overflow: auto; max-height: 55vh; }
.tl-head { position: sticky; top: 0; z-index: 2; height: 26px; background: var(--panel); border-bottom: 1px solid var(--line); }
.tl-head span { position: absolute; top: 4px; font-size: 12px; color: var(--muted); white-space: nowrap; }
.tl-head span.fail { color: var(--bad); font-weight: 700; }
.tl-row { position: absolute; left: 0; height: 30px; border-bottom: 1px solid #eee; }
.tl-lane { position: sticky; left: 0; z-index: 1; display: inline-block; width: 170px; height: 29px; padding: 5px 6px; background: var(--bg); border-right: 1px solid var(--line); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 600; }
.tl-cell { position: absolute; top: 3px; height: 24px; width: 106px; border: 1px solid var(--line); background: #fafafa; font: 12px ui-monospace, monospace; padding: 0 3px; overflow: hidden; white-space: nowrap; cursor: pointer; }
.tl-cell.has-fail { border: 2px solid var(--bad); } .tl-cell[aria-pressed="true"] { background: #e3ebf8; }
#inspector { margin-top: 10px; }
.legend { color: var(--muted); font-size: 12px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
</style>
</head>
<body>
<header>
<h1 id="title">@TITLE@</h1>
<p class="meta" id="meta"></p>
<nav aria-label="Filters">
<fieldset id="outcomes"><legend>Outcome</legend></fieldset>
<label>Tag <select id="tag"><option value="">any</option></select></label>
<label>Rule <select id="rule"><option value="">any</option></select></label>
<label>Search <input id="q" type="search" placeholder="name, file or message"></label>
</nav>
</header>
<main>
<section id="list" aria-label="Scenarios"><p id="shown" aria-live="polite"></p><ul id="scenarios"></ul></section>
<section id="detail" aria-label="The scenario selected"></section>
</main>
<script id="data" type="application/json">)HTML";

constexpr std::string_view kTail = R"HTML(</script>
<script>
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
const ORDER = ["FAIL", "TIMEOUT", "XPASS", "UNRESOLVED", "XFAIL", "SKIP", "PASS"];
const SYMBOL = { PASS: "✓", FAIL: "✗", TIMEOUT: "◷", XPASS: "!", UNRESOLVED: "?", XFAIL: "~", SKIP: "–" };
const GLYPH = { step: "▸", server: "■", call: "▲", result: "△", state: "◆", event: "●", error: "✗", failure: "✘", wire: "·", connection: "⇄", timer: "◔", due: "◕", end: "□" };
const KIND_NAME = { step: "step", server: "server action", call: "call", result: "result", state: "state change", event: "event", error: "error", failure: "failure", wire: "frame", connection: "connection", timer: "timer", due: "timer due", end: "end" };
const ROW = 30, COL = 112, LANE = 170;
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}
const scenarios = DATA.scenarios.map((s, i) => Object.assign({ index: i }, s));
// Records in time order (a page written over its size limit puts frames last); the sort is stable.
for (const s of scenarios) s.records.sort((a, b) => a.t - b.t);
scenarios.sort((a, b) => ORDER.indexOf(a.outcome) - ORDER.indexOf(b.outcome) || a.index - b.index);

// ---- state, kept in the #fragment ----
const state = { outcomes: new Set(), tag: "", rule: "", q: "", s: null, cell: null, lanes: "", frames: true };
function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  state.outcomes = new Set((p.get("o") || "").split(",").filter((o) => ORDER.includes(o)));
  state.tag = p.get("tag") || ""; state.rule = p.get("rule") || ""; state.q = p.get("q") || "";
  state.s = p.has("s") ? Number(p.get("s")) : null; state.cell = p.get("cell"); state.lanes = p.get("lanes") || "";
  state.frames = p.get("frames") !== "0";
}
function writeHash() {
  const p = new URLSearchParams();
  if (state.outcomes.size) p.set("o", [...state.outcomes].join(","));
  for (const k of ["tag", "rule", "q", "lanes", "cell"]) if (state[k]) p.set(k, state[k]);
  if (state.s != null) p.set("s", state.s);
  if (!state.frames) p.set("frames", "0");
  history.replaceState(null, "", "#" + p.toString());
}

// ---- the summary and the filters ----
function header() {
  const c = DATA.counts || {};
  const parts = ORDER.filter((o) => c[o]).map((o) => c[o] + " " + o);
  const when = DATA.startedMs ? new Date(DATA.startedMs).toISOString().replace(".000", "") : "";
  $("meta").textContent = scenarios.length + " results: " + parts.join(", ") + (when ? " · started " + when : "") +
    (DATA.hostname ? " on " + DATA.hostname : "") + (DATA.wallTimeMs ? " · " + (DATA.wallTimeMs / 1000).toFixed(3) + " s" : "");
  for (const o of ORDER) {
    if (!c[o]) continue;
    const box = el("input", { type: "checkbox", value: o, id: "o-" + o });
    box.checked = state.outcomes.has(o);
    box.addEventListener("change", () => { box.checked ? state.outcomes.add(o) : state.outcomes.delete(o); state.s = null; state.cell = null; refresh(); });
    $("outcomes").append(el("label", { for: "o-" + o }, box, " " + SYMBOL[o] + " " + o + " (" + c[o] + ")"));
  }
  const fill = (select, values, current) => {
    for (const v of [...new Set(values)].sort()) { const opt = el("option", { value: v, text: v }); if (v === current) opt.selected = true; select.append(opt); }
  };
  fill($("tag"), scenarios.flatMap((s) => s.tags), state.tag);
  fill($("rule"), scenarios.flatMap((s) => s.rules), state.rule);
  $("tag").addEventListener("change", (e) => { state.tag = e.target.value; state.s = null; state.cell = null; refresh(); });
  $("rule").addEventListener("change", (e) => { state.rule = e.target.value; state.s = null; state.cell = null; refresh(); });
  $("q").value = state.q;
  $("q").addEventListener("input", (e) => { state.q = e.target.value; state.s = null; state.cell = null; refresh(); });
}
function visible(s) {
  if (state.outcomes.size && !state.outcomes.has(s.outcome)) return false;
  if (state.tag && !s.tags.includes(state.tag)) return false;
  if (state.rule && !s.rules.includes(state.rule)) return false;
  const q = state.q.trim().toLowerCase();
  return !q || [s.name, s.file, s.message].some((t) => (t || "").toLowerCase().includes(q));
}
function refresh() {
  const shown = scenarios.filter(visible);
  // No scenario named (a fresh page, or the filters changed): the first one shown, with the cell the
  // address names if any; a scenario named that the filters hide: the first one, from its start.
  if (state.s == null || !shown.some((s) => s.index === state.s)) {
    if (state.s != null) state.cell = null;
    state.s = shown.length ? shown[0].index : null;
  }
  const list = $("scenarios");
  list.replaceChildren();
  for (const s of shown) {
    const b = el("button", { "data-index": s.index, "data-outcome": s.outcome, "aria-current": String(s.index === state.s) },
      el("span", { class: "outcome o-" + s.outcome, text: SYMBOL[s.outcome] + " " + s.outcome }), s.name, el("small", { text: s.treePath || s.file }));
    b.addEventListener("click", () => { state.s = s.index; state.cell = null; refresh(); });
    b.addEventListener("keydown", (e) => {
      const i = shown.indexOf(s), next = e.key === "ArrowDown" ? shown[i + 1] : e.key === "ArrowUp" ? shown[i - 1] : null;
      if (next) { e.preventDefault(); state.s = next.index; state.cell = null; refresh(); list.querySelector('[data-index="' + next.index + '"]').focus(); }
    });
    list.append(el("li", {}, b));
  }
  $("shown").textContent = shown.length + " of " + scenarios.length + " shown";
  writeHash();
  detail(scenarios.find((s) => s.index === state.s));
}

// ---- one scenario ----
function detail(s) {
  const d = $("detail");
  d.replaceChildren();
  if (!s) { d.append(el("p", { text: "No scenario matches the filters." })); return; }
  d.append(el("h2", {}, el("span", { class: "outcome o-" + s.outcome, text: SYMBOL[s.outcome] + " " + s.outcome }), s.name));
  const facts = el("dl", { class: "facts" });
  const fact = (k, v) => { if (v) facts.append(el("dt", { text: k }), el("dd", {}, v)); };
  fact("file", s.file); fact("rules", s.rules.join(", ")); fact("tags", s.tags.join(", "));
  fact("virtual time", (s.virtualTimeMs / 1000).toFixed(3) + " s"); fact("wall time", (s.wallTimeMs / 1000).toFixed(3) + " s");
  fact("reason", s.reason); if (s.rerun) fact("re-run", el("code", { text: s.rerun })); if (s.trace) fact("trace", el("code", { text: s.trace }));
  d.append(facts);
  if (s.message) failure(d, s);
  if (s.source) source(d, s.source);
  timeline(d, s);
}
function failure(d, s) {
  d.append(el("h3", { text: "Expected against observed" }));
  const lines = s.message.split("\n");
  const expected = lines.filter((l) => l.startsWith("note: expected")).map((l) => l.replace(/^note: expected:? ?/, ""));
  const observed = lines.filter((l) => l.startsWith("note: observed") || l.trim().startsWith("differs at")).map((l) => l.replace(/^note: /, "").trim());
  const table = el("table", { class: "versus" }, el("tr", {}, el("th", { scope: "col", text: "Expected" }), el("th", { scope: "col", text: "Observed" })));
  table.append(el("tr", {}, el("td", { text: expected.join("\n") || lines[0].replace(/^.*?error: /, "") }),
                          el("td", { text: observed.join("\n") || (lines[0].includes(", but ") ? lines[0].slice(lines[0].indexOf(", but ") + 6) : "(see the message below)") })));
  d.append(table, el("h3", { text: "Message" }), el("pre", { text: s.message }));
}
function source(d, src) {
  d.append(el("h3", { text: src.file + " around line " + src.line }));
  const pre = el("pre", { class: "src", "aria-label": "source, line " + src.line + " marked" });
  src.lines.forEach((text, i) => {
    const n = src.firstLine + i;
    pre.append(el("span", { class: n === src.line ? "hl" : "" }, String(n).padStart(4) + "  " + text));
  });
  d.append(pre);
}

// ---- the timeline: a lane per participant, one for the Teams side, one for the scenario ----
function ms(v, fallback) {
  if (typeof v === "number") return v;
  const m = typeof v === "string" && v.match(/^(\d+(?:\.\d+)?)(ms|s|m|min|h)?$/);
  if (!m) return fallback;
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60000, min: 60000, h: 3600000 }[m[2] || "ms"]);
}
function laneOf(r) {
  if (["step", "failure", "end"].includes(r.kind)) return "scenario";
  if (r.kind === "server" || !r.participant) return "Teams";
  return r.participant;
}
function timers(s) {
  const opts = (s.setup && s.setup.clientOptions) || {};
  const autoMove = ms(opts.autoMoveDelay, 3000), hangUp = ms(opts.hangUpDelay, 5000);
  const out = [];
  for (const r of s.records) {
    const d = r.data || {};
    if (r.type === "assignedBreakoutRooms" && d.state === "open" && d.autoMoveParticipantToBreakoutRoom && d.call == null)
      out.push({ t: r.t, due: r.t + autoMove, kind: "timer", participant: r.participant, label: "auto-move delay" });
    if (r.type === "assignedBreakoutRooms" && d.state === "closed" && d.call === "room")
      out.push({ t: r.t, due: r.t + hangUp, kind: "timer", participant: r.participant, label: "hang-up delay" });
    const a = r.kind === "server" && r.action;
    if (a && a.action === "updateSettings" && a.roomEndAfter != null)
      out.push({ t: r.t, due: r.t + ms(a.roomEndAfter, 0), kind: "timer", label: "room end time" });
  }
  for (const t of [...out]) out.push({ t: t.due, kind: "due", participant: t.participant, label: t.label + " ends", from: t.t });
  return out;
}
function timeline(d, s) {
  const records = s.records.concat(timers(s)).filter((r) => state.frames || r.kind !== "wire");
  const ticks = [...new Set(records.map((r) => r.t))].sort((a, b) => a - b);
  const col = new Map(ticks.map((t, i) => [t, i]));
  const lanes = new Map([["scenario", new Map()], ["Teams", new Map()]]);
  records.forEach((r) => {
    const lane = laneOf(r);
    if (!lanes.has(lane)) lanes.set(lane, new Map());
    const cells = lanes.get(lane), c = col.get(r.t);
    if (!cells.has(c)) cells.set(c, []);
    cells.get(c).push(r);
  });
  const failTick = (s.records.find((r) => r.kind === "failure") || {}).t;
  const filter = state.lanes.trim().toLowerCase();
  const rows = [...lanes.keys()].filter((l) => !filter || l.toLowerCase().includes(filter) || l === "scenario" || l === "Teams");
  d.append(el("h3", { text: "Timeline (virtual time)" }));
  const controls = el("div", { class: "tl-controls" });
  const laneBox = el("input", { type: "search", id: "lanes", value: state.lanes, placeholder: "participant id" });
  laneBox.addEventListener("change", () => { state.lanes = laneBox.value; state.cell = null; writeHash(); detail(s); });
  const frames = el("input", { type: "checkbox", id: "frames" });
  frames.checked = state.frames;
  frames.addEventListener("change", () => { state.frames = frames.checked; state.cell = null; writeHash(); detail(s); });
  controls.append(el("label", {}, "Lanes ", laneBox), el("label", {}, frames, " wire frames"),
    el("span", { class: "legend", text: Object.keys(KIND_NAME).map((k) => GLYPH[k] + " " + KIND_NAME[k]).join("  ") }),
    el("span", { class: "legend", text: (rows.length - 2) + " participants" + (s.recordsLeftOut ? " · " + s.recordsLeftOut + " records left out (the trace has them)" : "") }));
  d.append(controls);
  const box = el("div", { class: "tl", role: "grid", "aria-label": "timeline: a row per lane, a column per moment of virtual time", "aria-rowcount": rows.length });
  const head = el("div", { class: "tl-head", style: "width:" + (LANE + ticks.length * COL) + "px" });
  ticks.forEach((t, i) => head.append(el("span", { class: t === failTick ? "fail" : "", style: "left:" + (LANE + i * COL + 4) + "px",
    text: (t === failTick ? "✘ " : "") + "+" + (t / 1000).toFixed(3) + "s" })));
  const body = el("div", { style: "position:relative;height:" + rows.length * ROW + "px;width:" + (LANE + ticks.length * COL) + "px" });
  box.append(head, body);
  const inspector = el("div", { id: "inspector", "aria-live": "polite" });
  const select = (lane, c) => {
    state.cell = lane + "@" + ticks[c]; writeHash();
    body.querySelectorAll('[aria-pressed="true"]').forEach((b) => b.setAttribute("aria-pressed", "false"));
    const b = body.querySelector('[data-cell="' + CSS.escape(state.cell) + '"]');
    if (b) b.setAttribute("aria-pressed", "true");
    inspect(inspector, lane, ticks[c], lanes.get(lane).get(c) || []);
  };
  const draw = () => {
    const first = Math.max(0, Math.floor(box.scrollTop / ROW) - 5), last = Math.min(rows.length, first + Math.ceil(box.clientHeight / ROW) + 15);
    body.replaceChildren();
    for (let i = first; i < last; i++) {
      const lane = rows[i], row = el("div", { class: "tl-row", role: "row", "aria-rowindex": i + 1, style: "top:" + i * ROW + "px;width:" + (LANE + ticks.length * COL) + "px" });
      row.append(el("span", { class: "tl-lane", role: "rowheader", title: lane, text: lane }));
      for (const [c, recs] of lanes.get(lane)) {
        const kinds = {};
        recs.forEach((r) => { kinds[r.kind] = (kinds[r.kind] || 0) + 1; });
        const label = Object.entries(kinds).map(([k, n]) => GLYPH[k] + (n > 1 ? n : "")).join(" ");
        const spoken = lane + " at +" + (ticks[c] / 1000).toFixed(3) + "s: " + Object.entries(kinds).map(([k, n]) => n + " " + KIND_NAME[k]).join(", ");
        const cell = el("button", { class: "tl-cell" + (kinds.failure ? " has-fail" : ""), role: "gridcell", "data-cell": lane + "@" + ticks[c], "data-row": i, "data-col": c,
          "aria-pressed": String(state.cell === lane + "@" + ticks[c]), "aria-label": spoken, title: spoken, style: "left:" + (LANE + c * COL) + "px", text: label });
        cell.addEventListener("click", () => select(lane, c));
        cell.addEventListener("keydown", (e) => move(e, i, c));
        row.append(cell);
      }
      body.append(row);
    }
  };
  const move = (e, i, c) => {
    const cols = (r) => [...lanes.get(rows[r]).keys()].sort((a, b) => a - b);
    let r = i, target = null;
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      const cs = cols(i), k = cs.indexOf(c) + (e.key === "ArrowRight" ? 1 : -1);
      if (k >= 0 && k < cs.length) target = cs[k];
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      for (r = i + (e.key === "ArrowDown" ? 1 : -1); r >= 0 && r < rows.length; r += e.key === "ArrowDown" ? 1 : -1) {
        const cs = cols(r);
        if (cs.length) { target = cs.reduce((a, b) => (Math.abs(b - c) < Math.abs(a - c) ? b : a)); break; }
      }
    } else return;
    e.preventDefault();
    if (target == null) return;
    if (r * ROW < box.scrollTop || (r + 1) * ROW > box.scrollTop + box.clientHeight) { box.scrollTop = Math.max(0, r * ROW - box.clientHeight / 2); draw(); }
    const b = body.querySelector('[data-cell="' + CSS.escape(rows[r] + "@" + ticks[target]) + '"]');
    if (b) { b.focus(); select(rows[r], target); }
  };
  box.addEventListener("scroll", () => requestAnimationFrame(draw));
  d.append(box, inspector);
  draw();
  // The failing moment is where a reader starts: its cell is selected unless the address says otherwise.
  // A cell is named lane@virtual-milliseconds in the address.
  let start = state.cell;
  if (!start && failTick != null) start = "scenario@" + failTick;
  if (start) {
    const at = start.lastIndexOf("@"), lane = start.slice(0, at), c = col.get(Number(start.slice(at + 1)));
    if (lanes.has(lane) && lanes.get(lane).has(c)) select(lane, c);
  }
}
function inspect(box, lane, t, recs) {
  box.replaceChildren(el("h3", { text: lane + " at +" + (t / 1000).toFixed(3) + "s" }));
  const own = recs.filter((r) => r.kind !== "wire"), frames = recs.filter((r) => r.kind === "wire");
  for (const r of own) {
    const title = (GLYPH[r.kind] || "") + " " + (KIND_NAME[r.kind] || r.kind) + (r.type ? ": " + r.type : r.action ? ": " + (r.action.action || r.action) : r.label ? ": " + r.label : r.summary ? ": " + r.summary : "");
    box.append(el("details", { open: "" }, el("summary", { text: title }), el("pre", { text: JSON.stringify(r, null, 2) })));
  }
  if (frames.length) {
    box.append(el("h3", { text: "Frames at this moment (" + frames.length + "), in order" }));
    frames.slice(0, 200).forEach((r) => box.append(el("details", {}, el("summary", { text: (r.dir === "up" ? "↑ client → server " : "↓ server → client ") + ((r.frame && (r.frame.method || r.frame.type)) || "") }),
      el("pre", { text: JSON.stringify(r.frame || r.raw || r, null, 2) }))));
    if (frames.length > 200) box.append(el("p", { text: (frames.length - 200) + " more frames: the trace has them all." }));
  }
}

readHash();
header();
refresh();
document.documentElement.setAttribute("data-ready", "true");
</script>
</body>
</html>
)HTML";

}  // namespace

std::string html_page_before_data(const std::string& escaped_title) {
  std::string page(kHead);
  for (std::size_t at = page.find("@TITLE@"); at != std::string::npos; at = page.find("@TITLE@", at + escaped_title.size()))
    page.replace(at, 7, escaped_title);
  return page;
}

std::string_view html_page_after_data() { return kTail; }

}  // namespace breakout::harness
