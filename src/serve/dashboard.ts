// GET /dashboard: one HTML page (no build step) that polls GET /dashboard.json
// and shows, for the last 24 hours, the distribution per buyer against the
// split targets, bids and revenue, buyer health (circuit breakers, answer
// rates), cap usage, the rule file's alerts as last evaluated, the recent
// leads with their traces, and the plan in service with the last reload's
// errors. The JSON is put together here.

import { computeMetrics } from '../deliver/metrics.js';
import type { JournalStore } from '../adapters/index.js';
import type { AlertUnit } from '../core/alert-metrics.js';
import type { AlertState, AlertStateKind } from '../runtime/index.js';
import type { LeadInbox } from './inbox.js';
import type { PlanWatcher } from './plan-file.js';
import type { LeadService } from './service.js';

const WINDOW_MS = 24 * 3_600_000;
const RECENT = 20;

export interface DashboardData {
  at: string;
  plan: { file: string; loadedAt: string | null; flows: string[]; reloads: number; lastReload: { at: string; ok: boolean; errors: string[] } | null };
  /** Per flow and buyer: the share of the flow's routed leads it got, and its split target when a split names it. */
  distribution: { flow: string; buyer: string; leads: number; share: number; target: number | null }[];
  buyers: {
    name: string;
    circuit: string;
    pings: number;
    bids: number;
    avgBid: number | null;
    pingResponseRate: number | null;
    posts: number;
    postAcceptRate: number | null;
    revenue: number;
    caps: { cap: string; used: number; limit: number }[];
  }[];
  /** The rule file's alerts as last evaluated (src/serve/alerts.ts); times are ISO. */
  alerts: { name: string; text: string; state: AlertStateKind; value: number | null; unit: AlertUnit; op: string; threshold: number; buyer: string | null; windowMs: number; since: string; at: string }[];
  recent: { leadId: string; flow: string; source: string; state: string; status: string | null; buyers: string[]; price: number | null; receivedAt: string; trace: string[] }[];
}

export function dashboardData(service: LeadService, store: JournalStore, inbox: LeadInbox, watcher: PlanWatcher, alerts: readonly AlertState[] = [], now = Date.now()): DashboardData {
  const plan = service.plan;
  const since = now - WINDOW_MS;
  const last = watcher.last;

  const targets = new Map<string, number>();
  for (const flow of plan?.flows ?? []) {
    for (const rule of flow.rules) {
      const a = rule.action as { kind: string; entries?: { buyer: string; weight: number }[] };
      if (a.kind !== 'split' || !a.entries) continue;
      const total = a.entries.reduce((s, e) => s + e.weight, 0);
      for (const e of a.entries) if (!targets.has(`${flow.name}\u0000${e.buyer}`)) targets.set(`${flow.name}\u0000${e.buyer}`, total > 0 ? e.weight / total : 0);
    }
  }
  const perFlow = new Map<string, Map<string, number>>();
  const decisions = store.decisions({ since });
  for (const d of decisions) {
    if (d.status !== 'routed') continue;
    const counts = perFlow.get(d.flow) ?? new Map<string, number>();
    perFlow.set(d.flow, counts);
    for (const b of d.buyers) counts.set(b.name, (counts.get(b.name) ?? 0) + 1);
  }
  const distribution: DashboardData['distribution'] = [];
  for (const flow of plan?.flows ?? []) {
    const counts = perFlow.get(flow.name) ?? new Map<string, number>();
    const total = [...counts.values()].reduce((s, n) => s + n, 0);
    const names = new Set([...counts.keys(), ...[...targets.keys()].filter((k) => k.startsWith(`${flow.name}\u0000`)).map((k) => k.split('\u0000')[1]!)]);
    for (const buyer of names) {
      const leads = counts.get(buyer) ?? 0;
      distribution.push({ flow: flow.name, buyer, leads, share: total > 0 ? leads / total : 0, target: targets.get(`${flow.name}\u0000${buyer}`) ?? null });
    }
  }

  const metrics = computeMetrics(store.attempts({ since }));
  const seller = service.seller;
  const loaded = service.router?.loaded;
  const buyers: DashboardData['buyers'] = (plan?.buyers ?? []).map((b) => {
    const m = metrics.buyers[b.name];
    const lb = loaded?.buyers.find((x) => x.name === b.name);
    const ids = lb?.clock.windows(now).ids ?? [];
    return {
      name: b.name,
      circuit: seller && b.delivery?.breaker ? seller.breakers.state(b) : 'none',
      pings: m?.pings ?? 0,
      bids: m?.bids ?? 0,
      avgBid: m?.avgBid ?? null,
      pingResponseRate: m?.pingResponseRate ?? null,
      posts: m?.posts ?? 0,
      postAcceptRate: m?.postAcceptRate ?? null,
      revenue: m?.revenue ?? 0,
      caps: (lb?.counters ?? []).map((c) => ({ cap: c.label(), used: c.used(store, ids, now), limit: c.limit })),
    };
  });

  const recent = inbox.recent(RECENT).map((l) => {
    const d = store.decisions({ leadId: l.leadId }).at(-1);
    return {
      leadId: l.leadId,
      flow: l.flow,
      source: l.source,
      state: l.state,
      status: l.outcome?.status ?? d?.status ?? null,
      buyers: l.outcome?.buyers ?? d?.buyers.map((b) => b.name) ?? [],
      price: l.outcome?.price ?? d?.price ?? null,
      receivedAt: new Date(l.receivedAt).toISOString(),
      trace: (d?.trace ?? []).map((t) => t.message),
    };
  });

  return {
    at: new Date(now).toISOString(),
    plan: {
      file: watcher.file,
      loadedAt: watcher.loadedAt === null ? null : new Date(watcher.loadedAt).toISOString(),
      flows: plan?.flows.map((f) => f.name) ?? [],
      reloads: watcher.reloads,
      lastReload: last === null ? null : { at: new Date(last.at).toISOString(), ok: last.ok, errors: last.errors },
    },
    distribution,
    buyers,
    alerts: alerts.map((a) => ({
      name: a.name, text: a.text, state: a.state, value: a.value, unit: a.unit, op: a.op, threshold: a.threshold,
      buyer: a.buyer, windowMs: a.windowMs, since: new Date(a.since).toISOString(), at: new Date(a.at).toISOString(),
    })),
    recent,
  };
}

/** The page. Everything it shows is set as text (textContent), never as HTML: trace lines and errors come from rule files and buyers. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>leadroute dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; }
  h1 { font-size: 1.3rem; margin: 0 0 .3rem; } h2 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
  table { border-collapse: collapse; } th, td { padding: .25rem .6rem; border-bottom: 1px solid #dde; text-align: left; vertical-align: top; }
  th { background: #f3f4f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .bar { display: inline-block; height: .7rem; background: #4a7bd0; vertical-align: middle; }
  .target { color: #667; } .bad { color: #b3261e; font-weight: 600; } .ok { color: #22753a; }
  pre { background: #fbf3f2; padding: .5rem; white-space: pre-wrap; margin: .2rem 0; }
  details summary { cursor: pointer; } #status { color: #667; }
</style>
</head>
<body>
<h1>leadroute</h1>
<div id="status">loading…</div>
<h2>Plan</h2>
<div id="plan"></div>
<h2>Distribution (last 24 h) against targets</h2>
<table id="distribution"><thead><tr><th>flow</th><th>buyer</th><th>leads</th><th>share</th><th>target</th><th></th></tr></thead><tbody></tbody></table>
<h2>Buyers: bids, revenue, health, caps</h2>
<table id="buyers"><thead><tr><th>buyer</th><th>circuit</th><th>bids / pings</th><th>avg bid</th><th>ping answers</th><th>posts accepted</th><th>revenue</th><th>caps</th></tr></thead><tbody></tbody></table>
<h2>Alerts</h2>
<table id="alerts"><thead><tr><th>alert</th><th>state</th><th>value</th><th>condition</th><th>since</th></tr></thead><tbody></tbody></table>
<div id="no-alerts" class="target"></div>
<h2>Recent leads</h2>
<table id="recent"><thead><tr><th>lead</th><th>flow</th><th>source</th><th>status</th><th>buyers</th><th>price</th><th>trace</th></tr></thead><tbody></tbody></table>
<script>
(function () {
  var key = new URLSearchParams(location.hash.slice(1)).get('key');
  var pct = function (x) { return x === null || x === undefined ? '–' : (x * 100).toFixed(1) + '%'; };
  var money = function (x) { return x === null || x === undefined ? '–' : '$' + Number(x).toFixed(2); };
  function cell(tr, text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
  function rows(id, list, fill) {
    var body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren();
    list.forEach(function (item) { var tr = document.createElement('tr'); fill(tr, item); body.appendChild(tr); });
  }
  function render(d) {
    document.getElementById('status').textContent = 'updated ' + d.at;
    var plan = document.getElementById('plan');
    plan.replaceChildren();
    var p = document.createElement('div');
    p.textContent = d.plan.file + ' — flows: ' + d.plan.flows.join(', ') + ' — loaded ' + (d.plan.loadedAt || '–') + ' — reloads: ' + d.plan.reloads;
    plan.appendChild(p);
    var r = d.plan.lastReload;
    if (r) {
      var s = document.createElement('div');
      s.id = 'reload';
      s.className = r.ok ? 'ok' : 'bad';
      s.textContent = r.ok ? 'last reload ' + r.at + ': taken' : 'last reload ' + r.at + ': refused, the previous plan keeps serving';
      plan.appendChild(s);
      r.errors.forEach(function (e) { var pre = document.createElement('pre'); pre.className = 'diagnostic'; pre.textContent = e; plan.appendChild(pre); });
    }
    rows('distribution', d.distribution, function (tr, x) {
      cell(tr, x.flow); cell(tr, x.buyer); cell(tr, String(x.leads), 'num'); cell(tr, pct(x.share), 'num');
      cell(tr, x.target === null ? '–' : pct(x.target), 'num target');
      var bar = document.createElement('span'); bar.className = 'bar'; bar.style.width = Math.round(x.share * 200) + 'px'; cell(tr, '').appendChild(bar);
    });
    rows('buyers', d.buyers, function (tr, b) {
      cell(tr, b.name); cell(tr, b.circuit, b.circuit === 'open' ? 'bad' : '');
      cell(tr, b.bids + ' / ' + b.pings, 'num'); cell(tr, money(b.avgBid), 'num'); cell(tr, pct(b.pingResponseRate), 'num');
      cell(tr, pct(b.postAcceptRate) + ' of ' + b.posts, 'num'); cell(tr, money(b.revenue), 'num');
      cell(tr, b.caps.map(function (c) { return c.cap + ': ' + c.used + ' used'; }).join('; ') || '–');
    });
    var units = { rate: function (v) { return (Math.round(v * 10) / 10) + '%'; }, duration: function (v) { return Math.round(v) + 'ms'; },
      money: function (v) { return '$' + Number(v).toFixed(2); }, count: function (v) { return String(Math.round(v * 10) / 10); } };
    rows('alerts', d.alerts, function (tr, a) {
      var fmt = units[a.unit] || String;
      tr.className = 'alert-' + a.state;
      cell(tr, a.name); cell(tr, a.state, a.state === 'firing' ? 'bad' : a.state === 'ok' ? 'ok' : 'target');
      cell(tr, a.value === null ? '–' : fmt(a.value), 'num');
      cell(tr, a.text.replace(/^alert \\S+ when /, '')); cell(tr, a.since);
    });
    document.getElementById('no-alerts').textContent = d.alerts.length === 0 ? 'the rule file declares no alert' : '';
    rows('recent', d.recent, function (tr, l) {
      cell(tr, l.leadId); cell(tr, l.flow); cell(tr, l.source); cell(tr, (l.status || '–') + (l.state === 'done' ? '' : ' (' + l.state + ')'));
      cell(tr, l.buyers.join(', ') || '–'); cell(tr, money(l.price), 'num');
      var td = cell(tr, ''); var det = document.createElement('details'); var sum = document.createElement('summary');
      sum.textContent = l.trace.length + ' trace lines'; det.appendChild(sum);
      l.trace.forEach(function (t) { var div = document.createElement('div'); div.textContent = t; det.appendChild(div); });
      td.appendChild(det);
    });
  }
  function poll() {
    fetch('dashboard.json', { headers: key ? { 'x-api-key': key } : {} })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.message || r.status); return j; }); })
      .then(render)
      .catch(function (e) { document.getElementById('status').textContent = 'cannot read dashboard.json: ' + e.message; })
      .finally(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
</script>
</body>
</html>
`;
