// Selling over HTTP: URLs, pings (no personal data), bid mappings, posts and
// pixels. One line of source each; the lead schema and buyers A, B, C follow
// (helpers.ts): `email` and `phone` are pii.

import { describe, expect, it } from 'vitest';
import { codes, expectDiagnostics, only } from './helpers.js';

describe('URLs (LR700)', () => {
  it('must be absolute http(s) URLs', () => {
    expectDiagnostics(
      'buyer X { ping "ftp://a/p" post "a.example/x" backup post "" pixel "mailto:x@y" on sold } flow f { route X }',
      ['LR700@1:16', 'LR711@1:28', 'LR700@1:33', 'LR700@1:59', 'LR700@1:68'],
    );
    expect(only('buyer X { post "a.example/x" accepted "ok" == true } flow f { route X }').suggestion).toBe('write it in full, e.g. `"https://a.example/x"`');
  });
  it('a batch may write to a file: path, nothing else may', () => {
    expectDiagnostics('buyer X { batch 10 csv to "file:out/b.csv" } buyer Y { batch 10 csv to "https://b/in" } flow f { route X }', []);
    expect(only('buyer X { batch 10 csv to "out/b.csv" } flow f { route X }').suggestion).toBe('to write a file, say so: `"file:out/b.csv"`');
    expect(only('buyer X { post "file:out/b.csv" accepted "ok" == true } flow f { route X }').suggestion).toBe('only a `batch` may write to a file');
  });
  it('a pixel URL may hold placeholders, but not in its host', () => {
    expectDiagnostics('buyer X { pixel "http://t.example/p?sub={{lead.id}}&amount={{sale.price}}" on sold } flow f { route X }', []);
    expectDiagnostics('buyer X { pixel "http://{{lead.source}}/p" on sold } flow f { route X }', ['LR700@1:17']);
  });
});

describe('pings carry no personal data (LR708)', () => {
  it('a pii field in `fields`, at the field', () => {
    const d = only('buyer X { ping "http://a/p" fields state, email } flow f { route X }');
    expect(d).toMatchObject({ code: 'LR708', span: { col: 43, endCol: 48 } });
    expect(d.message).toBe('the ping would send `email`, which is personal data (it is marked `pii`)');
    expect(d.suggestion).toBe('pings carry no personal data; send it in the post');
  });
  it('zip3 is allowed even when the ZIP field is pii; the ZIP itself is not', () => {
    const lead = 'lead { zip: zip pii  state: state }';
    expectDiagnostics(`${lead} buyer X { ping "http://a/p" fields state, zip3 } flow f { route X }`, [], { prelude: false });
    const d = only(`${lead} buyer X { ping "http://a/p" fields zip } flow f { route X }`, { prelude: false });
    expect(d.code).toBe('LR708');
    expect(d.suggestion).toBe('pings carry no personal data; send `zip3` in the ping and the full ZIP in the post');
  });
  it('zip3 needs a ZIP field (LR200)', () => {
    expectDiagnostics('lead { state: state } buyer X { ping "http://a/p" fields zip3 } flow f { route X }', ['LR200@1:58'], {
      prelude: false,
    });
  });
  it('unknown and repeated fields (LR200, LR214); a timeout above zero (LR311)', () => {
    expectDiagnostics('buyer X { ping "http://a/p" timeout 0ms fields stat, state, state } flow f { route X }', [
      'LR311@1:37',
      'LR200@1:48',
      'LR214@1:61',
    ]);
  });
});

describe('bid mappings', () => {
  const ping = 'ping "http://a/p"';
  it('a bid needs a ping (LR701)', () => {
    const d = only('buyer X { bid price "p" } flow f { route X }');
    expect(d).toMatchObject({ code: 'LR701', span: { col: 11, endCol: 14 } });
  });
  it('unknown keys (LR212) with a suggestion', () => {
    const d = only(`buyer X { ${ping} bid price "p", ids "i" } flow f { route X }`);
    expect(d).toMatchObject({ code: 'LR212', message: 'unknown bid key `ids`', suggestion: 'did you mean `id`?' });
  });
  it('price is required, keys once, `==` only with accepted, accepted with `==` (LR703)', () => {
    expectDiagnostics(`buyer X { ${ping} bid id "i" } flow f { route X }`, ['LR703@1:29']);
    expectDiagnostics(`buyer X { ${ping} bid price "p", price "q", id "i" == "x", accepted "s" } flow f { route X }`, [
      'LR703@1:44',
      'LR703@1:65',
      'LR703@1:70',
    ]);
  });
  it('a reply value is a literal (LR300)', () => {
    expect(only(`buyer X { ${ping} bid price "p", accepted "s" == ok } flow f { route X }`).suggestion).toBe('quote it: `"ok"`');
  });
  it('every key', () => {
    expectDiagnostics(
      `buyer X { ${ping} bid price "bid.amount", id "ping_id", exclusive "exclusive", accepted "status" == "accepted", states "states", max_age "max_age" } flow f { route X }`,
      [],
    );
  });
});

describe('posts and pixels', () => {
  it('retry is a whole number (LR601); a timeout above zero (LR311)', () => {
    expectDiagnostics('buyer X { post "http://a/x" timeout 0s retry 1.5 backoff 1s accepted "ok" == true } flow f { route X }', ['LR601@1:11', 'LR311@1:37']);
  });
  it('a backup post without a post is never used (LR709, a warning)', () => {
    const d = only('buyer X { backup post "http://b/x" } flow f { route X }');
    expect(d).toMatchObject({ code: 'LR709', severity: 'warning', span: { col: 11, endCol: 22 } });
  });
  it('pixel events are known (LR212); its condition is true/false (LR304)', () => {
    expectDiagnostics('buyer X { pixel "http://t/p" on sold, sould when credit_score } flow f { route X }', ['LR212@1:39', 'LR304@1:50']);
  });
  it('auction buyers need a ping or a price (LR702)', () => {
    const d = only('buyer X { ping "http://a/p" bid price "p" } flow f { auction { X, N } } buyer N { accepts homeowner }');
    expect(d).toMatchObject({ code: 'LR702', span: { col: 67 } });
    expect(d.message).toBe('buyer `N` has neither a `ping` nor a `price`, so it cannot bid in an auction');
    expect(d.suggestion).toBe('give `N` a `ping "https://…"` and a `bid` mapping to bid per lead, or a `price` to bid a fixed price');
  });
  it('a buyer with a price and no ping bids its fixed price in an auction: no LR702', () => {
    expect(codes('buyer X { ping "http://a/p" bid price "p" } flow f { auction { X, A } }')).toEqual([]);
  });
  it('a clean ping-post buyer', () => {
    expect(
      codes(
        'buyer X { ping "http://127.0.0.1:7001/ping" timeout 500ms fields state, zip3, homeowner bid price "bid.amount" post "https://a/leads" timeout 5s retry 2 backoff 1s accepted "result" == "success" pixel "http://t/p?sub={{lead.id}}&amount={{sale.price}}" on sold, returned when credit_score > 700 } flow f { auction { X } floor $5 }',
      ),
    ).toEqual([]);
  });
});
