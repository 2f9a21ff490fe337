// Simulated bids for a test case: an HttpClient that sends nothing and answers
// each ping with the bid the case gives its buyer, written in the format and at
// the paths the buyer's own `bid` mapping reads; posts are answered as accepted
// by the buyer's accept rule, pixels with an empty 200. A case's auction then
// runs through the real Seller and auction (src/auction): floors, tiers,
// exclusive minimums and sharing are theirs, not re-implemented here. A buyer
// the case gives no bid answers "no content" (no bid). Nothing reaches the network.

import { HttpClient, type HttpRequest, type HttpResult } from '../deliver/http.js';
import { renderAnswer, type AnswerFields, type AnswerFormat } from '../mock/answers.js';
import type { PlanBuyer, PlanResponseTest } from '../plan/index.js';
import { saleRulesOf } from '../deliver/post.js';

/** A case's bid for one buyer. */
export interface SimulatedBid {
  price: number;
  exclusive: boolean;
}

/** What the simulated buyers were asked, for the failure report. */
export interface SimulatedRequest {
  buyer: string | null;
  kind: 'ping' | 'post' | 'other';
}

/** The part of a URL template before its first placeholder: what every URL it renders starts with. */
const fixedPrefix = (template: string) => template.split('{{')[0]!;

/** A value that passes an answer test: the value it equals, or the first of its list. */
const passingValue = (test: PlanResponseTest) => ('equals' in test ? test.equals : test.in[0]!);

export class SimulatedBuyersHttpClient extends HttpClient {
  readonly requests: SimulatedRequest[] = [];

  constructor(
    private readonly buyers: readonly PlanBuyer[],
    private readonly bids: ReadonlyMap<string, SimulatedBid>,
  ) {
    super();
  }

  override send(req: HttpRequest, done: (result: HttpResult) => void): void {
    const ping = this.buyerFor(req.url, (b) => (b.ping ? [b.ping.url] : []));
    if (ping !== null) {
      this.requests.push({ buyer: ping.name, kind: 'ping' });
      done(this.pingAnswer(ping));
      return;
    }
    const post = this.buyerFor(req.url, (b) => [b.post?.url, b.backupPost?.url].filter((u): u is string => u !== undefined));
    if (post !== null) {
      this.requests.push({ buyer: post.name, kind: 'post' });
      done(this.postAnswer(post, req.url));
      return;
    }
    this.requests.push({ buyer: null, kind: 'other' });
    done(answer(200, 'text/plain', ''));
  }

  /** The buyer whose URL (by its fixed prefix; the longest wins) the request is for. */
  private buyerFor(url: string, urls: (b: PlanBuyer) => string[]): PlanBuyer | null {
    let best: PlanBuyer | null = null;
    let length = -1;
    for (const b of this.buyers) {
      for (const u of urls(b)) {
        const prefix = fixedPrefix(u);
        if (url.startsWith(prefix) && prefix.length > length) {
          best = b;
          length = prefix.length;
        }
      }
    }
    return best;
  }

  private pingAnswer(buyer: PlanBuyer): HttpResult {
    const bid = this.bids.get(buyer.name);
    const mapping = buyer.ping!.bid;
    if (bid === undefined) return answer(204, 'text/plain', '');
    const fields: AnswerFields = [];
    if (mapping.accepted) fields.push([mapping.accepted.path, passingValue(mapping.accepted)]);
    fields.push([mapping.price, bid.price]);
    fields.push([mapping.id, `simulated-${buyer.name}`]);
    fields.push([mapping.exclusive, bid.exclusive]);
    const { contentType, body } = renderAnswer(formatOf(mapping.format), fields);
    return answer(200, contentType, body);
  }

  private postAnswer(buyer: PlanBuyer, url: string): HttpResult {
    const post = buyer.backupPost && url.startsWith(fixedPrefix(buyer.backupPost.url)) ? buyer.backupPost : buyer.post!;
    const rules = saleRulesOf(post, buyer.sale);
    const fields: AnswerFields = rules?.accepted ? [[rules.accepted.path, passingValue(rules.accepted)]] : [];
    const { contentType, body } = renderAnswer(formatOf(rules?.format), fields);
    return answer(200, contentType, body);
  }
}

const formatOf = (format: AnswerFormat | undefined): AnswerFormat => format ?? 'json';

function answer(status: number, contentType: string, body: string): HttpResult {
  return { ok: true, status, headers: { 'content-type': contentType }, body, startedAt: Date.now(), durationMs: 0 };
}
