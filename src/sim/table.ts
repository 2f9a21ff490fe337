// The simulator's summary as text: one row per buyer, then the totals, the
// distribution accuracy and the reasons leads went unsold.

import type { BuyerSummary, SimSummary } from './simulate.js';
import { alignedRow, columnWidths } from '../core/text-table.js';

/** Column headings for skip reasons (trace codes); CapExceeded has its own "cap hits" column. */
export const SKIP_LABELS: Record<string, string> = {
  FilterFailed: 'filtered',
  Closed: 'closed',
  PriceInvalid: 'bad price',
  TierSkipped: 'tier skip',
  Holiday: 'holiday',
  MissingField: 'missing',
  Duplicate: 'duplicate',
  BelowMin: 'below min',
  Held: 'held',
  OffHoursSend: 'off-hours',
};

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const money = (n: number): string =>
  `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const pct = (n: number): string => `${n.toFixed(1)}%`;
export const signed = (n: number): string => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${Math.abs(n).toFixed(1)}`;
export const DASH = '–';

/** The skip codes (other than CapExceeded) that occur, in a fixed order. */
export function skipColumns(buyers: BuyerSummary[]): string[] {
  const seen = new Set<string>();
  for (const b of buyers) for (const [code, count] of Object.entries(b.skips)) if (count > 0 && code !== 'CapExceeded') seen.add(code);
  const known = Object.keys(SKIP_LABELS).filter((c) => seen.has(c));
  return [...known, ...[...seen].filter((c) => !(c in SKIP_LABELS)).sort()];
}

/** Header and rows of the per-buyer table, as strings (shared by the text and HTML reports). */
export function buyerTable(s: SimSummary): { header: string[]; rows: string[][]; footer: string[][] } {
  const skips = skipColumns(s.buyers);
  const header = ['buyer', 'leads', 'share', 'target', 'Δ pts', 'revenue', 'cap hits', ...skips.map((c) => SKIP_LABELS[c] ?? c)];
  const rows = s.buyers.map((b) => [
    b.name,
    int(b.leads),
    pct(b.share),
    b.target === null ? DASH : pct(b.target),
    b.target === null ? DASH : signed(b.share - b.target),
    money(b.revenue),
    int(b.capHits),
    ...skips.map((c) => int(b.skips[c] ?? 0)),
  ]);
  const of = (k: number) => (s.leads > 0 ? pct((100 * k) / s.leads) : pct(0));
  const blank = skips.map(() => '');
  const footer = [
    ['(unrouted)', int(s.unrouted), of(s.unrouted), '', '', '', '', ...blank],
    ['(rejected)', int(s.rejected), of(s.rejected), '', '', '', '', ...blank],
  ];
  if (s.held > 0) footer.push(['(held)', int(s.held), of(s.held), '', '', '', '', ...blank]);
  if (s.auction > 0) footer.push(['(auction)', int(s.auction), of(s.auction), '', '', '', '', ...blank]);
  footer.push(['total', int(s.leads), '', '', '', money(s.revenue), int(s.buyers.reduce((a, b) => a + b.capHits, 0)), ...blank]);
  return { header, rows, footer };
}

type Paint = (s: string) => string;
const id: Paint = (s) => s;

export function formatSummary(s: SimSummary, style: { bold?: Paint; dim?: Paint; red?: Paint; green?: Paint; yellow?: Paint } = {}): string {
  const bold = style.bold ?? id;
  const dim = style.dim ?? id;
  const { header, rows, footer } = buyerTable(s);
  const all = [header, ...rows, ...footer];
  const widths = columnWidths(all);
  const line = (r: string[]) => alignedRow(r, widths).trimEnd();
  const out: string[] = [];
  out.push(
    bold(`simulate ${s.file ?? 'plan'} · flow ${s.flow}`) +
      dim(` · ${int(s.leads)} leads ${s.from} → ${s.to} at ${int(s.ratePerHour)}/h · seed ${s.seed}`),
  );
  out.push('');
  out.push(bold(line(header)));
  for (const r of rows) out.push(line(r));
  out.push(dim(widths.map((w) => '-'.repeat(w)).join('  ')));
  for (const r of footer) out.push(r[0] === 'total' ? bold(line(r)) : line(r));
  out.push('');
  const routedPct = s.leads > 0 ? pct((100 * s.routed) / s.leads) : pct(0);
  out.push(
    `routed ${int(s.routed)} of ${int(s.leads)} (${routedPct})` +
      (s.shared > 0 ? `, ${int(s.shared)} shared` : '') +
      ` · revenue ${money(s.revenue)}` +
      (s.routed > 0 ? ` · ${money(s.revenue / s.routed)} per routed lead` : ''),
  );
  if (s.accuracy) {
    const a = s.accuracy;
    const paint = a.maxDeviation <= 2 ? (style.green ?? id) : a.maxDeviation <= 5 ? (style.yellow ?? id) : (style.red ?? id);
    out.push(`distribution accuracy: max |share − target| ${paint(`${a.maxDeviation.toFixed(1)} points`)} (${a.buyer})`);
  } else {
    out.push(`distribution accuracy: ${DASH} (flow ${s.flow} states no split or random-range shares)`);
  }
  const w = s.wastage;
  out.push(`lead wastage: ${int(w.leads)} lead${w.leads === 1 ? '' : 's'} unsold (${pct(w.percent)})${w.leads > 0 ? '; top reasons:' : ''}`);
  const cw = Math.max(0, ...w.reasons.slice(0, 5).map((r) => int(r.count).length));
  for (const r of w.reasons.slice(0, 5)) out.push(`  ${int(r.count).padStart(cw)}  ${r.reason}`);
  out.push(dim(`routed in ${int(s.elapsedMs)} ms (${int(s.elapsedMs > 0 ? (1000 * s.leads) / s.elapsedMs : 0)} leads/s)`));
  return out.join('\n');
}
