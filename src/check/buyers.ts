// Buyers: duplicate names, clauses that may appear once, `accepts` and `price`
// expressions, caps, business hours and the `overflow` target.

import type { BuyerClause, BuyerDecl, CapSpec, HoursSpec } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import { type CheckContext, headSpan, isSpan, lineOf } from './context.js';
import type { ExprChecker } from './exprs.js';
import { closestZone, isValidZone } from './zones.js';

/** Record buyer names, reporting duplicates (LR203). */
export function declareBuyers(ctx: CheckContext, buyers: BuyerDecl[]): void {
  const first = new Map<string, BuyerDecl>();
  for (const b of buyers) {
    const name = b?.name?.name;
    if (typeof name !== 'string' || name === '') continue;
    const prev = first.get(name);
    if (prev) {
      ctx.report(
        'LR203',
        b.name.span ?? b.span,
        `buyer \`${name}\` is already declared at ${lineOf(prev.name.span)}`,
        'merge the two declarations or rename one',
      );
      continue;
    }
    first.set(name, b);
    ctx.buyers.add(name);
  }
}

const ONCE = new Set(['accepts', 'price', 'overflow']);

export function checkBuyer(ctx: CheckContext, exprs: ExprChecker, b: BuyerDecl): void {
  const clauses: BuyerClause[] = Array.isArray(b?.clauses) ? b.clauses : [];
  const seen = new Map<string, BuyerClause>();
  const name = b?.name?.name ?? '?';
  for (const c of clauses) {
    if (!c || typeof c !== 'object') continue;
    if (ONCE.has(c.kind)) {
      const prev = seen.get(c.kind);
      if (prev) {
        const how =
          c.kind === 'accepts'
            ? 'combine the conditions with `and`'
            : c.kind === 'price'
              ? 'keep one price; it may depend on the lead, e.g. `price $20 + (credit_score - 600) / 10`'
              : 'a buyer overflows to one buyer; chain them by giving that buyer its own `overflow`';
        ctx.report(
          'LR209',
          headSpan(c.span, c.kind.length),
          `buyer \`${name}\` already has \`${c.kind}\` at ${lineOf(prev.span)}; it may appear once`,
          how,
        );
      } else seen.set(c.kind, c);
    }
    switch (c.kind) {
      case 'accepts':
        exprs.condition(c.condition, 'the `accepts` condition');
        break;
      case 'price':
        exprs.price(c.value, '`price`');
        break;
      case 'cap':
        checkCaps(ctx, c.caps);
        break;
      case 'hours':
        checkHours(ctx, c.hours, c.span);
        break;
      case 'overflow':
        checkBuyerRef(ctx, c.target);
        break;
      default:
        break;
    }
  }
}

/** A reference to a buyer by name (LR201). */
export function checkBuyerRef(ctx: CheckContext, ref: { name: string; span: import('../lang/ast.js').Span } | undefined): boolean {
  if (!ref || typeof ref.name !== 'string' || ref.name === '') return false;
  if (ctx.buyers.has(ref.name)) return true;
  ctx.report(
    'LR201',
    ref.span,
    `unknown buyer \`${ref.name}\``,
    didYouMean(ref.name, ctx.buyers) ??
      (ctx.buyers.size === 0 ? `declare it: \`buyer ${ref.name} { … }\`` : undefined),
  );
  return false;
}

const UNIT_TEXT: Record<string, string> = { minute: 'min', hour: 'h', day: 'day', week: 'week', month: 'month' };

export function checkCaps(ctx: CheckContext, caps: CapSpec[] | undefined): void {
  if (!Array.isArray(caps)) return;
  for (const cap of caps) {
    if (!cap || typeof cap.limit !== 'number') continue;
    const unit = UNIT_TEXT[cap.unit] ?? cap.unit;
    const text = cap.measure === 'dollars' ? `$${cap.limit}/${unit}` : `${cap.limit}/${unit}`;
    if (!(cap.limit > 0)) {
      ctx.report(
        'LR600',
        cap.span,
        `the cap \`${text}\` lets nothing through: a cap must be above zero`,
        'to stop sending leads to a buyer, remove its rules instead',
      );
    } else if (cap.measure === 'leads' && !Number.isInteger(cap.limit)) {
      ctx.report(
        'LR600',
        cap.span,
        `the cap \`${text}\` counts leads, which come whole`,
        `write \`${Math.floor(cap.limit) || 1}/${unit}\``,
      );
    }
  }
}

function clock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export function checkHours(ctx: CheckContext, h: HoursSpec | undefined, clauseSpan: import('../lang/ast.js').Span): void {
  if (!h || typeof h !== 'object') return;
  const span = isSpan(h.span) ? h.span : clauseSpan;
  if (typeof h.zone === 'string' && !isValidZone(h.zone)) {
    const best = closestZone(h.zone);
    ctx.report(
      'LR500',
      isSpan(h.zoneSpan) ? h.zoneSpan : span,
      `unknown time zone \`${JSON.stringify(h.zone)}\``,
      best ? `did you mean \`"${best}"\`?` : 'use an IANA time zone name such as `"America/New_York"`',
    );
  }
  if (Array.isArray(h.days)) {
    const bad = h.days.filter((d) => !(Number.isInteger(d) && d >= 1 && d <= 7));
    if (bad.length > 0)
      ctx.report('LR501', span, `unknown day in business hours (${bad.join(', ')})`, 'days are `Mon` … `Sun`');
  }
  if (typeof h.from === 'number' && typeof h.to === 'number' && h.from >= h.to) {
    ctx.report(
      'LR501',
      span,
      h.from === h.to
        ? `these hours open and close at the same time (${clock(h.from)}), so they are never open`
        : `these hours close (${clock(h.to)}) before they open (${clock(h.from)})`,
      h.from > h.to
        ? `hours stay within one day; for overnight hours write two lines, e.g. \`${clock(h.from)}-24:00\` and \`00:00-${clock(h.to)}\` on the next days`
        : undefined,
    );
  }
}
