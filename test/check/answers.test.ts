// Reading buyers' answers (issue 14): `bid` and `sale` mappings in the checker,
// what they emit into the plan, and what verifyPlan asks of a plan written by hand.

import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyPlan, type Plan } from '../../src/models/plan.js';
import { planOf } from '../helpers/lang.js';
import { codes, expectDiagnostics, only, run } from './helpers.js';

const PING = 'ping "http://a/p" fields state';
const TEMPLATES: Record<string, string> = {
  'carry.hbs': '{"bid": {{json ping.bid_id}}, "ping": {{json ping.id}}, "t": {{json ping.token}} }',
  'typo.hbs': '{"bid": {{json ping.bid_ide}} }',
};
const options = { readFile: (p: string) => TEMPLATES[path.basename(p)], baseDir: '/rules' };

describe('the checker', () => {
  it('accepts every form of the new syntax', () => {
    expectDiagnostics(
      `buyer X { ${PING} bid xml price "r.price", accepted "r.status" in ["ok", "Accepted"] ignoring case, reason "r.why", ` +
        `duplicate "r.@dup" == true, carry bid_id "r.id", rejection_words ["Rejected", "Error"] ` +
        'post "http://a/x" sale form accepted "status" == "ok" ignoring case, duplicate "isValidPost" == false, reason "msg", ' +
        'redirect "url", price "payout", id "lead_id", rejection_words ["Rejected"] } flow f { auction { X } }',
      [],
    );
  });
  it('reads `bid text "p"` as an entry keyed `text`, and `bid text price "p"` as the text format', () => {
    expect(codes(`buyer X { ${PING} bid text "p" } flow f { auction { X } }`)).toEqual(['LR703@1:42', 'LR212@1:46']);
    expect(codes(`buyer X { ${PING} bid text price "p" } flow f { auction { X } }`)).toEqual([]);
  });
  it('post templates read carried names as `ping.NAME`, and nothing else under `ping` (LR706)', () => {
    const buyer = (tpl: string) =>
      `buyer X { ${PING} bid price "p", carry bid_id "id", carry token "t" post "http://a/x" json "${tpl}" accepted "ok" == true } flow f { auction { X } }`;
    expect(codes(buyer('carry.hbs'), options)).toEqual([]);
    const d = only(buyer('typo.hbs'), options);
    expect([d.code, d.suggestion]).toEqual(['LR706', 'did you mean `ping.bid_id`?']);
    // Without the carry, `ping.bid_id` is not set.
    const none = `buyer X { ${PING} bid price "p" post "http://a/x" json "carry.hbs" accepted "ok" == true } flow f { auction { X } }`;
    expect(codes(none, options).filter((c) => c.startsWith('LR706'))).toHaveLength(2);
  });
  it('names an unknown sale key with a suggestion (LR212)', () => {
    const d = only('buyer X { price $1 post "http://a/x" accepted "ok" == true sale acepted "s" == 1 } flow f { route X }');
    expect([d.code, d.suggestion]).toEqual(['LR212', 'did you mean `accepted`?']);
  });
  it('warns once per buyer without an accept rule (LR711), and not when a backup post or the sale has one', () => {
    expect(run('buyer X { price $1 post "http://a/x" backup post "http://b/x" } flow f { route X }').diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ['LR711', 'warning'],
    ]);
    expectDiagnostics('buyer X { price $1 post "http://a/x" backup post "http://b/x" accepted "ok" == true } flow f { route X }', []);
    expectDiagnostics('buyer X { price $1 post "http://a/x" sale accepted "ok" == true } flow f { route X }', []);
  });
});

describe('the plan', () => {
  const plan = planOf(
    `buyer X { ${PING} bid xml price "r.price", accepted "r.status" == "ok" ignoring case, duplicate "r.dup" == true, ` +
      'carry bid_id "r.id", rejection_words ["Rejected"] ' +
      'post "http://a/x" accepted "s" in ["ok", 1] ' +
      'sale form reason "msg", redirect "url", price "payout", id "lead_id", duplicate "valid" == false } ' +
      'buyer Y { price $1 post "http://b/x" accepted "s" == "ok" } flow f { auction { X } }',
  );
  const [x, y] = plan.buyers;
  it('writes the new parts, and leaves them out where nothing was written', () => {
    expect(x!.ping!.bid).toEqual({
      accepted: { path: 'r.status', in: ['ok'], ignoreCase: true },
      price: 'r.price',
      id: null,
      exclusive: null,
      states: null,
      maxAge: null,
      format: 'xml',
      duplicate: { path: 'r.dup', equals: true },
      carry: [{ name: 'bid_id', path: 'r.id' }],
      rejectionWords: ['Rejected'],
    });
    expect(x!.post!.accepted).toEqual({ path: 's', in: ['ok', 1], ignoreCase: false });
    expect(x!.sale).toEqual({ format: 'form', reason: 'msg', redirect: 'url', price: 'payout', id: 'lead_id', duplicate: { path: 'valid', equals: false } });
    expect(y!.post!.accepted).toEqual({ path: 's', equals: 'ok' });
    expect('sale' in y!).toBe(false);
  });
  it('verifyPlan refuses what the checker refuses: empty paths and words, `carry id`, a carry twice, a sale without a post, two accept rules', () => {
    const broken = structuredClone(plan) as Plan;
    const bx = broken.buyers[0]!;
    bx.ping!.bid.carry = [{ name: 'id', path: 'a' }, { name: 't', path: 'b' }, { name: 't', path: 'c' }];
    bx.ping!.bid.rejectionWords = [''];
    bx.sale = { accepted: { path: '', equals: 1 } };
    const schemaPaths = verifyPlan(broken).map((p) => p.path);
    expect(schemaPaths).toContain('/buyers/0/ping/bid/rejectionWords/0');
    expect(schemaPaths).toContain('/buyers/0/sale/accepted/path');
    bx.ping!.bid.rejectionWords = ['x'];
    bx.sale = { accepted: { path: 's', equals: 1 } };
    expect(verifyPlan(broken).map((p) => p.path)).toEqual(['/buyers/0/ping/bid/carry/0/name', '/buyers/0/ping/bid/carry/2/name', '/buyers/0/sale/accepted']);
    const by = broken.buyers[1]!;
    by.post = null;
    by.sale = { reason: 'r' };
    expect(verifyPlan(broken).map((p) => p.path)).toContain('/buyers/1/sale');
    expect(verifyPlan(plan)).toEqual([]);
  });
});
