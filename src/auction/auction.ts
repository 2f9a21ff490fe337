// Length (about 620 lines): one auction's life, ping → qualify → sell → post,
// shares its timing state and journal rows; kept in one file so the hot path
// reads top to bottom (its shapes are in types.ts, bids in bids.ts, PII in pii.ts).
// Running one auction: ping a tier's buyers concurrently, read and validate the
// bids, pick the winner(s), post, fall through to the next bid on a rejection
// or a duplicate (the buyer already has the lead); a price the post answer
// decides (`sale price`) becomes the sale's price.
// A fixed-price buyer in a tier (a `price`, no `ping`) is not pinged: its bid is
// the price the router worked out for the lead (spec.fixedPrices), non-exclusive,
// and from there it is selected and posted to like any other bid.
//
// Timing: each ping has its buyer's timeout (PlanPing.timeoutMs, default 500 ms,
// at most the auction's, counted from when the tier starts sending; pings with
// the same timeout share one timer) and every tier the auction timeout
// (spec.timeoutMs, default 750 ms): when it passes, the tier's bids are what has
// arrived; pings still out are recorded as timeouts (aborted; an answer arriving
// later is discarded and journalled as 'late'). A hanging buyer costs the
// auction its timeout, never more.
//
// Selection:
// - A bid is acceptable when its price is at least the floor (the larger of the
//   auction's and the tier's), its conditions hold (the lead's state is in the
//   bid's states; the lead is no older than its max age, checked again before
//   each post), and it ranks (see rank.ts).
// - Exclusive: with an exclusive minimum, exclusive bids at or above it are
//   offered an exclusive sale first, best first; exclusive bids below it are
//   out. Without one, exclusive bids that rank above every shared bid come first.
// - Otherwise the lead is shared: posted to the best `shared` non-exclusive bids
//   at once; each rejection or failure hands its slot to the next bid in line.
//   A single-buyer sale (shared = 1) is exclusive.
// - Remaining exclusive bids (ranked below a shared bid) are tried last, alone.
// - Tiers: tier 2 is pinged only when tier 1 sold nothing (no acceptable bid,
//   or every post to its bidders failed), and so on.

import type { AnyPlan, PlanBuyer, PlanField } from '../plan/index.js';
import { fixedPriceOf } from '../runtime/decision.js';
import type { Breakers, Poster } from '../deliver/post.js';
import { Deadline, type HttpClient, type HttpResult } from '../deliver/http.js';
import type { Journal } from '../deliver/journal.js';
import { TemplateError, type TemplateSet } from '../deliver/templates.js';
import type { DeliveryRecord, SaleContext } from '../deliver/types.js';
import { readBid, DEFAULT_MAX_BID } from './bids.js';
import { newId } from './ids.js';
import { PiiGuard, PingUrls } from './pii.js';
import { PingBuilder, DEFAULT_AUCTION_TIMEOUT_MS, DEFAULT_PING_TIMEOUT_MS, type PingPayload } from './ping.js';
import { scoreBid, type BuyerStats } from './rank.js';
import type { AuctionRecord, AuctionSpec, BidRecord } from './types.js';

export interface AuctionDeps {
  plan: AnyPlan;
  http: HttpClient;
  journal: Journal;
  templates: TemplateSet;
  poster: Poster;
  breakers: Breakers;
  stats: BuyerStats;
  maxBid?: number;
  /** Used when the spec carries no timeout. */
  defaultTimeoutMs?: number;
  /** The secrets the plan reads, by name (src/deliver/secrets.ts); none by default. */
  secrets?: Readonly<Record<string, string>>;
  /** Aborting it cuts off the pings in flight and stops before the next tier (for runAuction used on its own). */
  signal?: AbortSignal;
  /** The post id (sent as the Idempotency-Key header) of a lead's post to a buyer; a random one by default (SellerOptions.postIdOf). */
  postIdOf?: (leadId: string, buyer: string) => string;
}

export interface AuctionInput {
  leadId: string;
  lead: Record<string, unknown>;
  spec: AuctionSpec;
  /** The lead's random number. */
  random: number;
  /** Routing time, ms. */
  routedAt: number;
  /** The lead's age in seconds, now. */
  ageS: () => number;
}

export interface AuctionSale {
  buyer: PlanBuyer;
  bid: BidRecord;
  sale: SaleContext;
  delivery: DeliveryRecord;
}

export interface AuctionResult {
  record: AuctionRecord;
  /** Accepted sales. */
  sold: AuctionSale[];
  /** Posts the buyer rejected or answered as duplicates (for 'rejected' pixels). */
  rejected: AuctionSale[];
  exclusive: boolean;
  /** Every post made (accepted, rejected, failed). */
  deliveries: DeliveryRecord[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function leadState(fields: PlanField[], lead: Record<string, unknown>): string | null {
  const f = fields.find((x) => x.type.kind === 'state') ?? fields.find((x) => x.name === 'state');
  const v = f ? lead[f.name] : undefined;
  return typeof v === 'string' ? v.toUpperCase() : null;
}

function emptyRecord(buyer: string, tier: number, pingId: string, source: BidRecord['source']): BidRecord {
  return {
    buyer,
    tier,
    pingId,
    source,
    outcome: 'skipped',
    reason: null,
    buyerReason: null,
    carried: null,
    httpStatus: null,
    durationMs: 0,
    price: null,
    bidId: null,
    exclusive: false,
    states: null,
    maxAgeS: null,
    score: null,
    fate: null,
    postId: null,
  };
}

const buyerMaps = new WeakMap<AnyPlan, Map<string, PlanBuyer>>();

/** The plan's buyers by name, built once per plan. */
export function buyersByName(plan: AnyPlan): Map<string, PlanBuyer> {
  let m = buyerMaps.get(plan);
  if (!m) buyerMaps.set(plan, (m = new Map(plan.buyers.map((b) => [b.name, b]))));
  return m;
}

const pingUrlSets = new WeakMap<AnyPlan, PingUrls>();

/** Every ping URL of the plan, for the PII guard to search together (built once per plan). */
function pingUrlsOf(plan: AnyPlan): PingUrls {
  let u = pingUrlSets.get(plan);
  if (!u) pingUrlSets.set(plan, (u = new PingUrls(plan.lead.fields, plan.buyers.flatMap((b) => (b.ping ? [b.ping.url] : [])))));
  return u;
}

export async function runAuction(deps: AuctionDeps, input: AuctionInput): Promise<AuctionResult> {
  const t0 = performance.now();
  const startedMs = Date.now(); // formatted at the end, off the way of the first ping
  const { spec } = input;
  const all: BidRecord[] = [];
  const result: AuctionResult = {
    record: {
      ruleId: spec.ruleId,
      leadId: input.leadId,
      startedAt: '',
      durationMs: 0,
      tiersPinged: [],
      bids: all,
      winners: [],
      exclusive: false,
      price: 0,
      reason: null,
    },
    sold: [],
    rejected: [],
    exclusive: false,
    deliveries: [],
  };
  const byName = buyersByName(deps.plan);
  // One builder and one guard per lead: its public view and its PII values are
  // worked out once for all the pings of the auction.
  const fields = deps.plan.lead.fields;
  const pings: LeadPings = {
    builder: new PingBuilder(fields, input.lead, deps.templates, input.routedAt, deps.secrets),
    guard: new PiiGuard(fields, input.lead, pingUrlsOf(deps.plan)),
  };
  let reason = spec.tiers.length === 0 ? 'the auction has no buyers' : 'no bids';

  for (let ti = 0; ti < spec.tiers.length; ti++) {
    if (deps.signal?.aborted) {
      reason = 'aborted by the caller';
      break;
    }
    const tier = spec.tiers[ti]!;
    result.record.tiersPinged.push(ti + 1);
    const bids = await pingTier(deps, input, pings, tier.buyers, ti + 1, byName);
    all.push(...bids);
    const floor = Math.max(spec.floor ?? 0, tier.floor ?? 0);
    const eligible = qualify(deps, input, bids, floor, byName);
    if (eligible.length === 0) {
      reason = describeNoSale(bids, floor, ti + 1);
      continue;
    }
    const sold = await sell(deps, input, eligible, byName, result);
    if (sold) {
      reason = '';
      break;
    }
    reason = `tier ${ti + 1}: every post was rejected or failed`;
  }

  result.record.durationMs = Math.round((performance.now() - t0) * 100) / 100;
  result.record.startedAt = new Date(startedMs).toISOString();
  result.record.winners = result.sold.map((s) => s.buyer.name);
  result.record.exclusive = result.exclusive;
  result.record.price = round2(result.sold.reduce((a, s) => a + s.sale.price, 0));
  result.record.reason = result.sold.length > 0 ? null : reason;
  return result;
}

function describeNoSale(bids: BidRecord[], floor: number, tier: number): string {
  const got = bids.filter((b) => b.outcome === 'bid');
  if (got.length === 0) return `tier ${tier}: no bids (${bids.length} pinged)`;
  const below = got.filter((b) => b.fate === 'below-floor').length;
  return `tier ${tier}: no acceptable bid (${got.length} bid${got.length === 1 ? '' : 's'}${below ? `, ${below} below the floor $${floor.toFixed(2)}` : ''})`;
}

// ---------------------------------------------------------------- pinging

interface LeadPings {
  builder: PingBuilder;
  guard: PiiGuard;
}

async function pingTier(
  deps: AuctionDeps,
  input: AuctionInput,
  pings: LeadPings,
  names: string[],
  tier: number,
  byName: Map<string, PlanBuyer>,
): Promise<BidRecord[]> {
  const timeoutMs = input.spec.timeoutMs > 0 ? input.spec.timeoutMs : (deps.defaultTimeoutMs ?? DEFAULT_AUCTION_TIMEOUT_MS);
  const start = performance.now();
  const deadline = start + timeoutMs;
  const records: (BidRecord | undefined)[] = new Array(names.length);
  let closed = false;
  // One timer per distinct ping timeout, shared by the tier's pings (a timer and
  // an abort signal per request would cost more than the rest of a ping). A
  // ping's timeout therefore counts from the first ping of the tier with the
  // same timeout, at most the time it takes to send the tier's pings earlier.
  // An abort of deps.signal, when given, aborts them all.
  const deadlines = new Map<number, Deadline>();
  const deadlineFor = (ms: number): Deadline => {
    let d = deadlines.get(ms);
    if (!d) deadlines.set(ms, (d = new Deadline(ms, deps.signal)));
    return d;
  };

  // True once every ping has its record, false when the auction timeout comes
  // first. A count of the pings still out rather than Promise.all and a race:
  // the auction goes on as soon as the last answer is read.
  let timer: NodeJS.Timeout | undefined;
  const everyAnswer = await new Promise<boolean>((resolve) => {
    let out = names.length;
    // Each ping's record once; a ping that failed inside leadroute and then
    // answered anyway keeps its first record.
    const settle = (i: number, r: BidRecord) => {
      if (closed || records[i] !== undefined) return;
      records[i] = r;
      if (--out === 0) resolve(true);
    };
    names.forEach((name, i) => {
      try {
        pingOne(deps, input, pings, name, tier, byName, timeoutMs, deadlineFor, () => closed, (r) => settle(i, r));
      } catch (err) {
        settle(i, failedPing(name, tier, err));
      }
    });
    if (out === 0) resolve(true);
    else timer = setTimeout(() => resolve(false), Math.max(0, deadline - performance.now()));
  });
  clearTimeout(timer);
  closed = true;
  // Pings still out when the auction timeout passed are cut off.
  for (const d of deadlines.values()) {
    if (everyAnswer) d.cancel();
    else d.abort();
  }
  return names.map((name, i) => {
    const r = records[i];
    if (r) return r;
    const late = emptyRecord(name, tier, '', 'ping');
    late.outcome = 'timeout';
    late.reason = `no answer within the ${timeoutMs}ms auction timeout; a later answer is discarded`;
    late.durationMs = Math.round(performance.now() - start);
    return late;
  });
}

/** The record of a ping that failed inside leadroute (a bug, not the buyer): the auction goes on without it. */
function failedPing(name: string, tier: number, err: unknown): BidRecord {
  const rec = emptyRecord(name, tier, '', 'ping');
  rec.outcome = 'error';
  rec.reason = `internal error: ${err instanceof Error ? err.message : String(err)}`;
  return rec;
}

/**
 * Ping one buyer; `done` gets the ping's record: at once when no request is
 * made, else from the HTTP client's callback as soon as the answer is in (read
 * there, with no promise in between). Throws only on a bug of ours before the
 * request goes; a bug while reading the answer becomes an 'error' record.
 */
function pingOne(
  deps: AuctionDeps,
  input: AuctionInput,
  pings: LeadPings,
  name: string,
  tier: number,
  byName: Map<string, PlanBuyer>,
  tierTimeoutMs: number,
  deadlineFor: (ms: number) => Deadline,
  isClosed: () => boolean,
  done: (rec: BidRecord) => void,
): void {
  const buyer = byName.get(name);
  const ping = buyer?.ping;
  const rec = emptyRecord(name, tier, ping ? newId() : '', ping ? 'ping' : 'fixed');
  if (!buyer) {
    rec.reason = 'unknown buyer';
    return done(rec);
  }
  const breaker = deps.breakers.get(buyer, 'primary');
  if (buyer.post && breaker && breaker.state === 'open' && !buyer.backupPost) {
    if (!ping) {
      rec.reason = 'post circuit open: its fixed price is not bid';
      return done(rec);
    }
    rec.reason = 'post circuit open: not pinged';
    deps.journal.recordAttempt(journalRow(input, name, ping.url, 'skipped', null, rec.reason, Date.now(), 0, null));
    return done(rec);
  }
  if (!ping) {
    // A fixed-price buyer: no ping; its bid is the price the router worked out
    // for this lead (spec.fixedPrices), from here on a bid like any other.
    const fixed = fixedPriceOf(input.spec, name);
    if (fixed === undefined) {
      rec.reason = 'no ping endpoint and no fixed price';
      return done(rec);
    }
    rec.outcome = 'bid';
    rec.price = fixed;
    rec.reason = `fixed price $${fixed.toFixed(2)}: no ping sent`;
    return done(rec);
  }

  const stats = deps.stats.get(name);
  const pingId = rec.pingId;
  const built = guardedPing(pings, buyer, pingId);
  if (!built.ok) {
    rec.outcome = 'refused';
    rec.reason = built.reason;
    deps.journal.recordAttempt(journalRow(input, name, ping.url, 'refused', null, rec.reason, Date.now(), 0, null));
    return done(rec);
  }
  const payload = built.payload;
  rec.pingId = built.pingId;
  const perBuyer = ping.timeoutMs > 0 ? ping.timeoutMs : DEFAULT_PING_TIMEOUT_MS;
  const timeoutMs = Math.min(perBuyer, tierTimeoutMs);
  stats.pings++;
  const answered = (res: HttpResult) => {
    try {
      done(readAnswer(deps, input, rec, ping, payload, res, timeoutMs, perBuyer, isClosed()));
    } catch (err) {
      done(failedPing(name, tier, err));
    }
  };
  deps.http.send(
    {
      url: payload.url,
      method: ping.method ?? 'POST',
      headers: pingHeaders(ping.method === 'GET' ? { 'user-agent': 'leadroute', 'x-ping-id': built.pingId } : { 'content-type': payload.contentType, 'user-agent': 'leadroute', 'x-ping-id': built.pingId }, payload.headers),
      ...(ping.method === 'GET' ? {} : { body: payload.body }),
      timeoutMs,
      maxBytes: 64 * 1024,
      deadline: deadlineFor(timeoutMs),
    },
    answered,
  );
}

/** A ping's record once its answer (or failure) is in; `late` when the auction had closed by then. */
function readAnswer(
  deps: AuctionDeps,
  input: AuctionInput,
  rec: BidRecord,
  ping: NonNullable<PlanBuyer['ping']>,
  payload: PingPayload,
  res: HttpResult,
  timeoutMs: number,
  perBuyer: number,
  late: boolean,
): BidRecord {
  const name = rec.buyer;
  const stats = deps.stats.get(name);
  rec.durationMs = res.durationMs;
  rec.httpStatus = res.status;
  const reading = readBid(res, ping.bid, deps.maxBid ?? DEFAULT_MAX_BID);
  const dropped = payload.dropped.length ? ` (PII fields left out of the ping: ${payload.dropped.join(', ')})` : '';
  if (reading.outcome === 'bid') {
    rec.outcome = 'bid';
    rec.price = reading.bid.price;
    rec.bidId = reading.bid.id;
    rec.exclusive = reading.bid.exclusive;
    rec.states = reading.bid.states;
    rec.maxAgeS = reading.bid.maxAgeS;
    rec.carried = reading.bid.carried ?? null;
    rec.buyerReason = reading.bid.buyerReason ?? null;
    rec.reason = dropped ? dropped.trim() : null;
  } else {
    rec.outcome = reading.outcome;
    rec.buyerReason = reading.buyerReason ?? null;
    rec.reason = reading.reason + dropped;
    if (reading.outcome === 'timeout') {
      rec.reason = `no answer within ${timeoutMs}ms (${timeoutMs < perBuyer ? 'auction' : 'buyer'} timeout); a later answer is discarded`;
    }
  }
  if (!late && (rec.outcome === 'bid' || rec.outcome === 'no-bid' || rec.outcome === 'invalid')) {
    stats.answered++;
    stats.answerMsSum += res.durationMs;
    if (rec.outcome === 'bid') stats.bids++;
  }
  const outcome = late ? (res.ok ? 'late' : 'timeout') : rec.outcome;
  deps.journal.recordAttempt(
    journalRow(input, name, ping.url, outcome, res.status, late ? 'answered after the auction closed; discarded' : rec.reason, res.startedAt, res.durationMs, rec.outcome === 'bid' ? rec.price : null),
  );
  return rec;
}

/** Ping ids drawn at most for one ping, should an id happen to spell one of the lead's PII values. */
const PING_ID_DRAWS = 4;

type GuardedPing = { ok: true; payload: PingPayload; pingId: string } | { ok: false; reason: string };

/** Build a buyer's ping and pass it through the PII guard; a fresh id is drawn when only the id tripped it. */
function guardedPing(pings: LeadPings, buyer: PlanBuyer, firstId: string): GuardedPing {
  let pingId = firstId;
  for (let draw = 1; ; draw++) {
    let payload: PingPayload;
    try {
      payload = pings.builder.build(buyer, pingId);
    } catch (err) {
      return { ok: false, reason: err instanceof TemplateError ? `ping template: ${err.message}` : `ping payload: ${(err as Error).message}` };
    }
    // The ping's header values are searched with its body: a header is sent to the buyer too.
    const searched = buyer.ping?.headers ? `${payload.body}\n${Object.values(payload.headers).join('\n')}` : payload.body;
    const verdict = pings.guard.check(searched, payload.url, [pingId]);
    if (verdict === null) return { ok: true, payload, pingId };
    if (verdict.cause === 'lead' || draw === PING_ID_DRAWS) return { ok: false, reason: `PII guard: the ping ${verdict.reason}; not sent` };
    pingId = newId();
  }
}

/** leadroute's own ping headers, then the ping's `header` options (which replace one of the same name). */
function pingHeaders(own: Record<string, string>, set: Record<string, string>): Record<string, string> {
  for (const name in set) own[name] = set[name]!;
  return own;
}

function journalRow(
  input: AuctionInput,
  buyer: string,
  url: string,
  outcome: import('../deliver/journal.js').AttemptOutcome,
  status: number | null,
  detail: string | null,
  startedAt: number,
  durationMs: number,
  price: number | null,
) {
  return { leadId: input.leadId, buyer, kind: 'ping' as const, url, startedAt, durationMs, outcome, status, detail, price };
}

// ---------------------------------------------------------------- selection

function qualify(deps: AuctionDeps, input: AuctionInput, bids: BidRecord[], floor: number, byName: Map<string, PlanBuyer>): BidRecord[] {
  const state = leadState(deps.plan.lead.fields, input.lead);
  const age = input.ageS();
  const ok: BidRecord[] = [];
  for (const b of bids) {
    if (b.outcome !== 'bid' || b.price === null) continue;
    if (b.price < floor) {
      b.fate = 'below-floor';
      b.reason = `bid $${b.price.toFixed(2)} is below the floor $${floor.toFixed(2)}`;
      continue;
    }
    if (b.states !== null && (state === null || !b.states.includes(state))) {
      b.fate = 'condition';
      b.reason = `bid is for states ${b.states.join(', ')}; the lead's state is ${state ?? 'missing'}`;
      continue;
    }
    if (b.maxAgeS !== null && age > b.maxAgeS) {
      b.fate = 'condition';
      b.reason = `bid is for leads up to ${b.maxAgeS}s old; the lead is ${age.toFixed(1)}s old`;
      continue;
    }
    // Without a rank expression the score is the price: no buyer measures needed.
    const score =
      input.spec.rank === null
        ? b.price
        : scoreBid(input.spec.rank, { price: b.price, exclusive: b.exclusive, id: b.bidId }, deps.stats.metrics(byName.get(b.buyer), b.buyer), input.lead, input.random, input.routedAt);
    if (score === null) {
      b.fate = 'unranked';
      b.reason = 'the rank expression gave no number for this bid';
      continue;
    }
    b.score = Math.round(score * 1e6) / 1e6;
    ok.push(b);
  }
  // Best first: score, then price, then the faster answer, then the name.
  ok.sort((a, b) => b.score! - a.score! || b.price! - a.price! || a.durationMs - b.durationMs || a.buyer.localeCompare(b.buyer));
  return ok;
}

// ---------------------------------------------------------------- posting

/** Post to the eligible bids in order; true when anything sold. */
async function sell(deps: AuctionDeps, input: AuctionInput, ranked: BidRecord[], byName: Map<string, PlanBuyer>, result: AuctionResult): Promise<boolean> {
  const { spec } = input;
  const shared = Math.max(1, Math.floor(spec.shared));
  let first: BidRecord[];
  let sharedQ: BidRecord[];
  let lastExcl: BidRecord[];
  if (spec.exclusiveMin !== null) {
    const min = spec.exclusiveMin;
    first = ranked.filter((b) => b.exclusive && b.price! >= min);
    for (const b of ranked) {
      if (b.exclusive && b.price! < min) {
        b.fate = 'below-exclusive-min';
        b.reason = `exclusive bid $${b.price!.toFixed(2)} is below the exclusive minimum $${min.toFixed(2)}`;
      }
    }
    sharedQ = ranked.filter((b) => !b.exclusive);
    lastExcl = [];
  } else {
    const firstShared = ranked.findIndex((b) => !b.exclusive);
    const lead = firstShared < 0 ? ranked.length : firstShared;
    first = ranked.slice(0, lead);
    sharedQ = ranked.filter((b) => !b.exclusive);
    lastExcl = ranked.slice(lead).filter((b) => b.exclusive);
  }

  // Exclusive offers, best first.
  for (const b of first) {
    if (await postBid(deps, input, b, true, byName, result)) {
      result.exclusive = true;
      markOutbid(ranked);
      return true;
    }
  }

  // Shared: `shared` slots, each handing over to the next bid on failure.
  if (sharedQ.length > 0) {
    const exclusive = shared === 1;
    const queue = [...sharedQ];
    let accepted = 0;
    const worker = async () => {
      while (accepted < shared) {
        const b = queue.shift();
        if (!b) return;
        if (await postBid(deps, input, b, exclusive, byName, result)) {
          accepted++;
          return;
        }
      }
    };
    // One slot (the usual exclusive sale) needs no pool to wait on.
    const slots = Math.min(shared, queue.length);
    if (slots === 1) await worker();
    else await Promise.all(Array.from({ length: slots }, worker));
    if (accepted > 0) {
      result.exclusive = exclusive && accepted === 1;
      markOutbid(ranked);
      return true;
    }
  }

  for (const b of lastExcl) {
    if (await postBid(deps, input, b, true, byName, result)) {
      result.exclusive = true;
      markOutbid(ranked);
      return true;
    }
  }
  return false;
}

function markOutbid(ranked: BidRecord[]): void {
  for (const b of ranked) if (b.fate === null) b.fate = 'outbid';
}

async function postBid(
  deps: AuctionDeps,
  input: AuctionInput,
  b: BidRecord,
  exclusive: boolean,
  byName: Map<string, PlanBuyer>,
  result: AuctionResult,
): Promise<boolean> {
  const buyer = byName.get(b.buyer)!;
  if (b.maxAgeS !== null) {
    const age = input.ageS();
    if (age > b.maxAgeS) {
      b.fate = 'condition';
      b.reason = `bid is for leads up to ${b.maxAgeS}s old; the lead was ${age.toFixed(1)}s old when its turn came`;
      return false;
    }
  }
  const sale: SaleContext = {
    leadId: input.leadId,
    lead: input.lead,
    buyer: buyer.name,
    // The buyer's own id for its bid, when its answer names one: that is the id it
    // expects back with the post. Otherwise the id we sent with the ping.
    pingId: b.source === 'ping' ? (b.bidId ?? b.pingId) : null,
    postId: deps.postIdOf?.(input.leadId, buyer.name) ?? newId(),
    price: b.price!,
    exclusive,
    random: input.random,
    routedAt: input.routedAt,
    carried: b.carried,
  };
  b.postId = sale.postId;
  const stats = deps.stats.get(buyer.name);
  if (b.source === 'ping') stats.wins++;
  // A buyer without a post endpoint is sold at once, without waiting a turn.
  const rec = deps.poster.withoutHttp(buyer, sale) ?? (await deps.poster.post(buyer, sale));
  result.deliveries.push(rec);
  const entry: AuctionSale = { buyer, bid: b, sale, delivery: rec };
  if (rec.status === 'accepted' || rec.status === 'none') {
    if (rec.status === 'accepted') (stats.posts++, stats.accepted++);
    // A price the buyer decided at post time is the sale's: the Seller commits sale.price.
    if (rec.postPrice !== null) sale.price = rec.postPrice;
    b.fate = 'sold';
    result.sold.push(entry);
    return true;
  }
  stats.posts++;
  if (rec.status === 'rejected' || rec.status === 'duplicate') {
    b.fate = rec.status === 'rejected' ? 'post-rejected' : 'post-duplicate';
    result.rejected.push(entry);
  } else b.fate = 'post-failed';
  b.reason = rec.detail;
  return false;
}
