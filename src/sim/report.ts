// The simulator's HTML report: one self-contained page (inline CSS and
// hand-written SVG, no scripts, nothing fetched) with share-vs-target bars,
// leads per hour per buyer, revenue by buyer, the buyer table and the reasons
// leads went unsold.

import type { SimSummary } from './simulate.js';
import { buyerTable, DASH, int, money, pct } from './table.js';

const PALETTE = ['#2f6fb2', '#e07b39', '#3a9a5b', '#c2456b', '#7a5cc0', '#b59a2a', '#2aa3a3', '#8c5a3c', '#5b6b7a', '#d1603d'];
const UNROUTED = '#c9ced6';
const INK = '#1d2733';
const MUTED = '#6b7785';
const GRID = '#e6e9ee';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** A round upper bound for an axis, at least `max`, whose quarters are round too. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(max)));
  for (const m of [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function colorOf(names: string[]): Map<string, string> {
  return new Map(names.map((n, i) => [n, PALETTE[i % PALETTE.length]!]));
}

/** Horizontal bars of share per buyer with the target as a tick. */
function shareChart(s: SimSummary, colors: Map<string, string>): string {
  const rows = s.buyers;
  const labelW = 150;
  const W = 720;
  const plotW = W - labelW - 70;
  const rowH = 30;
  const top = 24;
  const H = top + rows.length * rowH + 28;
  const max = niceMax(Math.max(1, ...rows.map((b) => Math.max(b.share, b.target ?? 0))));
  const x = (v: number) => labelW + (v / max) * plotW;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    parts.push(`<line x1="${x(v)}" y1="${top - 6}" x2="${x(v)}" y2="${H - 22}" stroke="${GRID}"/>`);
    parts.push(`<text x="${x(v)}" y="${H - 8}" text-anchor="middle" class="axis">${fmt(v)}%</text>`);
  }
  rows.forEach((b, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" class="label">${esc(b.name)}</text>`);
    parts.push(
      `<rect x="${labelW}" y="${y + 4}" width="${Math.max(0, x(b.share) - labelW).toFixed(1)}" height="${rowH - 12}" rx="2" fill="${colors.get(b.name)}"><title>${esc(b.name)}: ${pct(b.share)}${b.target === null ? '' : ` (target ${pct(b.target)})`}</title></rect>`,
    );
    if (b.target !== null) {
      const tx = x(b.target).toFixed(1);
      parts.push(`<line x1="${tx}" y1="${y}" x2="${tx}" y2="${y + rowH - 4}" stroke="${INK}" stroke-width="2.5"/>`);
    }
    const label = b.target === null ? pct(b.share) : `${pct(b.share)} / ${pct(b.target)}`;
    parts.push(`<text x="${(Math.max(x(b.share), b.target === null ? 0 : x(b.target)) + 6).toFixed(1)}" y="${y + 15}" class="value">${label}</text>`);
  });
  return svg(W, H, 'Share of leads per buyer against the target the plan states', parts);
}

/** Stacked bars: leads sold per hour per buyer, unsold leads on top in grey. */
function hourlyChart(s: SimSummary, colors: Map<string, string>): string {
  const hours = s.hourly;
  const W = 720;
  const left = 48;
  const right = 12;
  const top = 12;
  const bottom = 36;
  const plotH = 220;
  const H = top + plotH + bottom;
  const plotW = W - left - right;
  const max = niceMax(Math.max(1, ...hours.map((h) => h.leads)));
  const slot = plotW / Math.max(1, hours.length);
  const barW = Math.max(1, slot * 0.8);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    parts.push(`<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${W - right}" y2="${y(v).toFixed(1)}" stroke="${GRID}"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="axis">${fmt(v)}</text>`);
  }
  const every = Math.max(1, Math.ceil(hours.length / 12));
  hours.forEach((h, i) => {
    const x0 = left + i * slot + (slot - barW) / 2;
    let acc = 0;
    const segs: [string, number, string][] = s.buyers.map((b) => [b.name, h.buyers[b.name] ?? 0, colors.get(b.name)!]);
    segs.push(['unsold', h.unrouted, UNROUTED]);
    for (const [name, v, color] of segs) {
      if (v <= 0) continue;
      const y1 = y(acc + v);
      const y0 = y(acc);
      parts.push(
        `<rect x="${x0.toFixed(1)}" y="${y1.toFixed(1)}" width="${barW.toFixed(1)}" height="${(y0 - y1).toFixed(1)}" fill="${color}"><title>${esc(h.hour.slice(0, 13))}:00Z ${esc(name)}: ${int(v)}</title></rect>`,
      );
      acc += v;
    }
    if (i % every === 0) {
      const label = h.hour.slice(11, 16);
      const day = i === 0 || h.hour.slice(0, 10) !== hours[i - 1]!.hour.slice(0, 10) ? h.hour.slice(5, 10) : '';
      parts.push(`<text x="${(x0 + barW / 2).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" class="axis">${label}</text>`);
      if (day) parts.push(`<text x="${(x0 + barW / 2).toFixed(1)}" y="${top + plotH + 27}" text-anchor="middle" class="axis">${day}</text>`);
    }
  });
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${W - right}" y2="${top + plotH}" stroke="${MUTED}"/>`);
  return svg(W, H, 'Leads per hour (UTC) per buyer, unsold leads in grey', parts);
}

function revenueChart(s: SimSummary, colors: Map<string, string>): string {
  const rows = s.buyers;
  const labelW = 150;
  const W = 720;
  const plotW = W - labelW - 110;
  const rowH = 26;
  const H = rows.length * rowH + 12;
  const max = Math.max(1, ...rows.map((b) => b.revenue));
  const parts: string[] = [];
  rows.forEach((b, i) => {
    const y = 6 + i * rowH;
    const w = (b.revenue / max) * plotW;
    parts.push(`<text x="${labelW - 8}" y="${y + 14}" text-anchor="end" class="label">${esc(b.name)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" rx="2" fill="${colors.get(b.name)}"><title>${esc(b.name)}: ${money(b.revenue)}</title></rect>`);
    parts.push(`<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 14}" class="value">${money(b.revenue)}</text>`);
  });
  return svg(W, H, 'Revenue by buyer', parts);
}

function svg(w: number, h: number, title: string, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${parts.join('')}</svg>`;
}

function legend(s: SimSummary, colors: Map<string, string>): string {
  const items = s.buyers.map((b) => `<span><i style="background:${colors.get(b.name)}"></i>${esc(b.name)}</span>`);
  items.push(`<span><i style="background:${UNROUTED}"></i>unsold</span>`);
  return `<p class="legend">${items.join('')}</p>`;
}

function table(s: SimSummary): string {
  const { header, rows, footer } = buyerTable(s);
  const tr = (cells: string[], tag: 'td' | 'th') => `<tr>${cells.map((c, i) => `<${tag}${i === 0 ? ' class="name"' : ''}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<table><thead>${tr(header, 'th')}</thead><tbody>${rows.map((r) => tr(r, 'td')).join('')}</tbody><tfoot>${footer.map((r) => tr(r, 'td')).join('')}</tfoot></table>`;
}

/** The whole report page. */
export function renderReport(s: SimSummary): string {
  const colors = colorOf(s.buyers.map((b) => b.name));
  const acc = s.accuracy;
  const cards: [string, string][] = [
    ['leads', int(s.leads)],
    ['routed', s.leads > 0 ? pct((100 * s.routed) / s.leads) : DASH],
    ['revenue', money(s.revenue)],
    ['accuracy', acc ? `${acc.maxDeviation.toFixed(1)} pts` : DASH],
    ['unsold', `${int(s.wastage.leads)} (${pct(s.wastage.percent)})`],
  ];
  const reasons =
    s.wastage.reasons.length === 0
      ? '<p class="muted">Every lead was sold.</p>'
      : `<ol class="reasons">${s.wastage.reasons.map((r) => `<li><b>${int(r.count)}</b> ${esc(r.reason)}</li>`).join('')}</ol>`;
  const title = `leadroute simulation: ${s.file ?? 'plan'} (${s.flow})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: ${INK}; margin: 0; background: #f6f7f9; }
  main { max-width: 780px; margin: 0 auto; padding: 24px 20px 48px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  h2 { font-size: 15px; margin: 28px 0 8px; }
  .muted, .meta { color: ${MUTED}; }
  .meta { margin: 0 0 16px; }
  .cards { display: flex; gap: 10px; flex-wrap: wrap; }
  .card { background: #fff; border: 1px solid ${GRID}; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
  .card b { display: block; font-size: 18px; }
  .card span { color: ${MUTED}; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
  section { background: #fff; border: 1px solid ${GRID}; border-radius: 6px; padding: 4px 16px 12px; margin-top: 16px; overflow-x: auto; }
  svg { max-width: 100%; height: auto; display: block; }
  svg .axis { font-size: 11px; fill: ${MUTED}; }
  svg .label { font-size: 12px; fill: ${INK}; }
  svg .value { font-size: 12px; fill: ${INK}; font-variant-numeric: tabular-nums; }
  .legend span { margin-right: 14px; white-space: nowrap; }
  .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { padding: 4px 8px; text-align: right; border-bottom: 1px solid ${GRID}; white-space: nowrap; }
  th.name, td.name { text-align: left; }
  thead th { font-weight: 600; border-bottom: 2px solid ${INK}; }
  tfoot td { color: ${MUTED}; }
  tfoot tr:last-child td { color: ${INK}; font-weight: 600; border-top: 2px solid ${INK}; }
  .reasons { padding-left: 22px; } .reasons li { margin: 3px 0; } .reasons b { font-variant-numeric: tabular-nums; margin-right: 6px; }
  .note { font-size: 12px; color: ${MUTED}; }
</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
<p class="meta">${int(s.leads)} leads arriving ${esc(s.from)} → ${esc(s.to)} at ${int(s.ratePerHour)}/h · seed ${esc(s.seed)}</p>
<div class="cards">${cards.map(([k, v]) => `<div class="card"><span>${k}</span><b>${esc(v)}</b></div>`).join('')}</div>

<section>
<h2>Share vs target</h2>
${shareChart(s, colors)}
<p class="note">Bars: each buyer's share of the ${int(s.entered)} leads that entered flow ${esc(s.flow)}. Black tick: the share the plan states (split weights, random ranges); none where it states none.${acc ? ` Largest gap: ${acc.maxDeviation.toFixed(1)} points (${esc(acc.buyer)}).` : ''}</p>
</section>

<section>
<h2>Leads per hour</h2>
${hourlyChart(s, colors)}
${legend(s, colors)}
</section>

<section>
<h2>Revenue by buyer</h2>
${revenueChart(s, colors)}
</section>

<section>
<h2>Buyers</h2>
${table(s)}
<p class="note">Cap hits and skip counts are trace entries: a buyer turned away twice for one lead counts twice.</p>
</section>

<section>
<h2>Unsold leads</h2>
<p>${int(s.wastage.leads)} of ${int(s.leads)} leads (${pct(s.wastage.percent)}) were not sold${s.wastage.leads > 0 ? '. Most frequent reasons:' : '.'}</p>
${s.wastage.leads > 0 ? reasons : ''}
</section>
</main>
</body>
</html>
`;
}
