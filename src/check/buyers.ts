// Buyers: duplicate names, clauses that may appear once, `accepts`, `price`
// and `prefers` expressions, caps, business hours, holidays, the `overflow`
// and `when closed send` targets, quality gates (`dedupe`, `requires`) and
// delivery settings. The HTTP clauses are checked in http.ts.

import type { BuyerClause, BuyerDecl, CapSpec, HoursSpec, Ident } from '../lang/ast.js';
import { didYouMean } from '../lang/diagnostics.js';
import { type CheckContext, headSpan, isSpan, lineOf, tailSpan } from './context.js';
import type { ExprChecker } from './exprs.js';
import { checkCalendar } from './holidays.js';
import { buyerHttp, checkBatch, checkBid, checkPing, checkPixel, checkPost, positiveDuration, wholeCount } from './http.js';
import { TemplateChecker } from './templates.js';
import type { LeadField } from './types.js';
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
    ctx.buyerDecls.set(name, b);
  }
}

/** Clauses a buyer may have once, by key (`post` and `backup post` apart). */
const ONCE = new Set([
  'accepts', 'price', 'overflow', 'relationship', 'closed', 'dedupe', 'ping', 'bid', 'post', 'backup post', 'delay', 'batch', 'breaker',
]);

const ONCE_HELP: Record<string, string> = {
  accepts: 'combine the conditions with `and`',
  price: 'keep one price; it may depend on the lead, e.g. `price $20 + (credit_score - 600) / 10`',
  overflow: 'a buyer overflows to one buyer; chain them by giving that buyer its own `overflow`',
  dedupe: 'list every field in one `dedupe`, e.g. `dedupe email, phone within 30d`',
  post: 'a buyer has one post; add `backup post "…"` for a failover endpoint',
  'backup post': 'a buyer has one backup post',
  ping: 'a buyer is pinged at one URL',
};

function clauseKey(c: BuyerClause): string {
  return c.kind === 'post' && c.backup ? 'backup post' : c.kind === 'closed' ? 'when closed' : c.kind;
}

export function checkBuyer(
  ctx: CheckContext,
  exprs: ExprChecker,
  b: BuyerDecl,
  templates?: TemplateChecker,
): void {
  const clauses: BuyerClause[] = Array.isArray(b?.clauses) ? b.clauses.filter((c) => !!c && typeof c === 'object') : [];
  const seen = new Map<string, BuyerClause>();
  const name = b?.name?.name ?? '?';
  const http = buyerHttp(b);
  const tpl = templates ?? new TemplateChecker(ctx, {});
  for (const c of clauses) {
    const key = c.kind === 'post' && c.backup ? 'backup post' : c.kind;
    if (ONCE.has(key)) {
      const prev = seen.get(key);
      if (prev) {
        const word = clauseKey(c);
        ctx.report(
          'LR209',
          headSpan(c.span, word.length),
          `buyer \`${name}\` already has \`${word}\` at ${lineOf(prev.span)}; it may appear once`,
          ONCE_HELP[key] ?? `keep one \`${word}\``,
        );
      } else seen.set(key, c);
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
      case 'prefers':
        exprs.condition(c.condition, 'the `prefers` condition');
        if (typeof c.weight === 'number' && !(c.weight > 0))
          ctx.report(
            'LR311',
            tailSpan(c.span, String(c.weight).length),
            `a preference weight must be above zero, not ${c.weight}`,
            'write e.g. `weight 10`, or drop the preference',
          );
        break;
      case 'relationship':
        if (typeof c.score === 'number' && !(c.score >= 0 && c.score <= 1))
          ctx.report(
            'LR311',
            tailSpan(c.span, String(c.score).length),
            `a relationship score is from 0 to 1, not ${c.score}`,
            Number.isInteger(c.score) && c.score > 1 && c.score <= 100
              ? `for ${c.score}%, write \`relationship ${c.score / 100}\``
              : 'write e.g. `relationship 0.8`',
          );
        break;
      case 'holidays':
        for (const cal of Array.isArray(c.calendars) ? c.calendars : []) {
          if (!cal || typeof cal.value !== 'string') continue;
          const bad = checkCalendar(cal.value);
          if (bad) ctx.report('LR502', cal.span ?? c.span, `unknown holiday calendar \`${JSON.stringify(cal.value)}\`: it ${bad.problem}`, bad.suggestion);
        }
        break;
      case 'closed':
        if (c.action === 'send') checkBuyerRef(ctx, c.target);
        if (seen.get('closed') === c && !clauses.some((o) => o.kind === 'hours' || o.kind === 'holidays'))
          ctx.report(
            'LR503',
            headSpan(c.span, 'when closed'.length),
            `buyer \`${name}\` has no \`hours\` or \`holidays\`, so it is never closed and \`when closed\` never applies`,
            'add its `hours`, or drop `when closed`',
          );
        break;
      case 'dedupe':
        checkFieldList(ctx, c.fields, '`dedupe`');
        positiveDuration(ctx, exprs, c.window, 'a dedupe window', 'suppresses nothing');
        break;
      case 'requires':
        checkFieldList(ctx, c.fields, '`requires`', (f, id) => {
          if (!f.optional)
            ctx.report(
              'LR213',
              id.span,
              `\`${f.name}\` is required by the lead schema, so every lead has it and \`requires\` never turns one away`,
              `mark \`${f.name}\` \`optional\` in the schema, or drop it here`,
            );
        });
        break;
      case 'ping':
        checkPing(ctx, exprs, tpl, c.ping, http);
        break;
      case 'bid':
        checkBid(ctx, c.mapping, c.span, http);
        break;
      case 'post':
        checkPost(ctx, exprs, tpl, c.post, c.backup === true, http);
        if (c.backup && !http.hasPost)
          ctx.report(
            'LR709',
            headSpan(c.span, 'backup post'.length),
            `buyer \`${name}\` has a \`backup post\` but no \`post\`, so the backup is never used`,
            'add the primary `post "https://…"`',
          );
        break;
      case 'pixel':
        checkPixel(ctx, exprs, tpl, c.pixel, http);
        break;
      case 'delay':
        exprs.duration(c.delay, '`delay`');
        break;
      case 'batch':
        checkBatch(ctx, exprs, c.batch);
        break;
      case 'breaker':
        wholeCount(ctx, c.failures, headSpan(c.span, 'breaker'.length), 'a breaker\'s failure count', 1, 'breaker 5 cooldown 30s');
        positiveDuration(ctx, exprs, c.cooldown, 'a breaker cooldown', 'never stops posting');
        break;
      default:
        break;
    }
  }
}

/** A list of lead fields (`dedupe`, `requires`): known, none twice. */
export function checkFieldList(
  ctx: CheckContext,
  fields: Ident[] | undefined,
  what: string,
  each?: (f: LeadField, id: Ident) => void,
): void {
  if (!Array.isArray(fields)) return;
  const seen = new Set<string>();
  for (const id of fields) {
    if (!id || typeof id.name !== 'string' || id.name === '') continue;
    if (seen.has(id.name)) {
      ctx.report('LR214', id.span, `\`${id.name}\` is already in this ${what} list`, 'list each field once');
      continue;
    }
    seen.add(id.name);
    const f = ctx.fields.get(id.name);
    if (!f) {
      if (ctx.fieldsKnown) ctx.report('LR200', id.span, `unknown field \`${id.name}\``, didYouMean(id.name, ctx.fields.keys()));
      continue;
    }
    each?.(f, id);
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
