// What a mock buyer will do, in words: the startup banner of `leadroute
// mock-buyers` and the header of `leadroute sell --buyers`. It is built from
// the same defaults the server answers with (answers.ts, DEFAULT_PRICE and the
// rest in mock-buyers.ts), so what it says is what the buyer does.

import type { FaultRates, MockBuyerConfig } from './config.js';
import { describeDistribution } from './distributions.js';
import { price, renderAnswer, resolvePingAnswer, resolvePostAnswer, type AnswerFields, type AnswerFormat } from './answers.js';
import { DEFAULT_PRICE, DEFAULT_REASONS } from './mock-buyers.js';

const pct = (r: number) => `${+(r * 100).toFixed(2)}%`;

function describeFaults(f: FaultRates | undefined): string | null {
  if (!f) return null;
  const parts = [
    f.error ? `${pct(f.error)} HTTP 500` : '',
    f.timeout ? `${pct(f.timeout)} hang` : '',
    f.garbage ? `${pct(f.garbage)} garbage` : '',
    f.reset ? `${pct(f.reset)} reset` : '',
  ].filter(Boolean);
  return parts.length > 0 ? `faults ${parts.join(', ')}` : null;
}

/** What the buyer does with a ping, e.g. "bid uniform $35..$75 × credit_score/700; exclusive 20% at ×1.3; no bid 25%". */
export function describePings(b: MockBuyerConfig): string {
  const bid = b.bid ?? {};
  const parts = [`bid ${describeDistribution(bid.price ?? DEFAULT_PRICE, '$')}${bid.price === undefined ? ' (default)' : ''}`];
  if (bid.scaleBy) parts[0] += ` × (${bid.scaleBy.field}/${bid.scaleBy.pivot})${bid.scaleBy.power !== undefined && bid.scaleBy.power !== 1 ? `^${bid.scaleBy.power}` : ''}`;
  for (const [field, table] of Object.entries(bid.multipliers ?? {})) {
    parts[0] += ` × ${field} {${Object.entries(table).map(([v, f]) => `${v}: ${f}`).join(', ')}}`;
  }
  const rate = bid.exclusiveRate ?? 0;
  parts.push(rate > 0 ? `exclusive ${pct(rate)} at ×${bid.exclusivePremium ?? 1}` : 'never exclusive');
  parts.push(`no bid ${pct(bid.noBidRate ?? 0)}`);
  if (bid.duplicateRate) parts.push(`duplicate ${pct(bid.duplicateRate)}`);
  if (bid.states) parts.push(`states ${bid.states.join(' ')} only`);
  return parts.join('; ');
}

/** What the buyer does with a post, e.g. "accept; reject 4% (duplicate, invalid_phone); latency 40ms". */
export function describePosts(b: MockBuyerConfig): string {
  const post = b.post ?? {};
  const parts = ['accept'];
  if (post.duplicateRate) parts.push(`duplicate ${pct(post.duplicateRate)}`);
  parts.push(`reject ${pct(post.rejectRate ?? 0)}${post.rejectRate ? ` (${(post.reasons ?? DEFAULT_REASONS).join(', ')})` : ''}`);
  if (post.requirePing) parts.push('reject posts quoting no ping it bid on');
  if (post.price !== undefined) parts.push(`price at post time ${describeDistribution(post.price, '$')}`);
  if (post.redirectUrl !== undefined) parts.push(`redirect ${post.redirectUrl}`);
  if (post.latency !== undefined) parts.push(`latency ${describeDistribution(post.latency, 'ms')}`);
  const faults = post.faults !== undefined ? (describeFaults(post.faults) ?? 'no faults') : null;
  if (faults) parts.push(faults);
  return parts.join('; ');
}

/** The buyer's lines of behaviour: latency and faults, pings, posts, a required header. */
export function describeBuyer(b: MockBuyerConfig): string[] {
  // Posts take the buyer's latency and faults unless `post` sets its own (said on the posts line).
  const faults = describeFaults(b.faults) ?? 'no faults';
  const shared = b.post?.faults === undefined;
  const lines = [[`latency ${describeDistribution(b.latency ?? 0, 'ms')}`, shared ? faults : ''].filter(Boolean).join('; ')];
  lines.push(`pings: ${describePings(b)}${shared ? '' : `; ${faults}`}`);
  lines.push(`posts: ${describePosts(b)}`);
  const h = b.requireHeader;
  if (h) lines.push(`pings and posts need ${h.name}: ${h.prefix ?? ''}$${h.valueFromEnv} (else 401)`);
  return lines;
}

/** One line of an answer as the buyer writes it (XML and text folded onto a line). */
function sample(format: AnswerFormat, fields: AnswerFields): string {
  const { body } = renderAnswer(format, fields);
  const folded = format === 'xml' ? body.replace(/^<\?xml[^>]*\?>\s*/, '').replace(/\n\s*/g, '') : format === 'text' ? body.trimEnd().replace(/\n/g, ' ⏎ ') : body;
  return `${format} ${folded}`;
}

/** Example answers: a bid and a no-bid, an accepted and a rejected post. */
export function describeAnswers(b: MockBuyerConfig): string[] {
  const p = resolvePingAnswer(b.bid?.answer);
  const q = resolvePostAnswer(b.post?.answer);
  const id = 'abcd-1k2j3';
  const bid: AnswerFields = [[p.paths.status, p.words.bid], [p.paths.price, price(42.5, p.priceAsText)], [p.paths.id, id], [p.paths.bidId, `${id}-b`], [p.paths.exclusive, false]];
  const noBid: AnswerFields = [[p.paths.status, p.words.noBid], [p.paths.reason, 'no_demand'], [p.paths.id, id]];
  const accepted: AnswerFields = [
    [q.paths.status, q.words.accepted],
    [q.paths.leadId, 'abcd-L-9x8y7'],
    [q.paths.price, b.post?.price === undefined ? undefined : price(40, q.priceAsText)],
    [q.paths.redirect, b.post?.redirectUrl?.replace(/\{leadId\}/g, 'abcd-L-9x8y7')],
  ];
  const rejected: AnswerFields = [[q.paths.status, q.words.rejected], [q.paths.reason, 'duplicate']];
  return [`bid: ${sample(p.format, bid)}`, `no bid: ${sample(p.format, noBid)}`, `post accepted: ${sample(q.format, accepted)}`, `post rejected: ${sample(q.format, rejected)}`];
}
