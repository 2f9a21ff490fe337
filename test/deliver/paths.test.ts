import { describe, expect, it } from 'vitest';
import { brief, getPath, tryJson } from '../../src/deliver/paths.js';

describe('getPath', () => {
  const answer = { bid: { price: 12.5, tags: ['a', 'b'] }, result: [{ status: 'ok' }], 'a.b': 1, zero: 0 };

  it('reads dotted paths through objects and array indices', () => {
    expect(getPath(answer, 'bid.price')).toBe(12.5);
    expect(getPath(answer, 'bid.tags.1')).toBe('b');
    expect(getPath(answer, 'result.0.status')).toBe('ok');
    expect(getPath(answer, 'zero')).toBe(0);
  });

  it('gives the value itself for an empty path or "."', () => {
    expect(getPath(answer, '')).toBe(answer);
    expect(getPath(answer, '.')).toBe(answer);
  });

  it('gives undefined for what is not there', () => {
    expect(getPath(answer, 'bid.amount')).toBeUndefined();
    expect(getPath(answer, 'bid.price.cents')).toBeUndefined();
    expect(getPath(answer, 'bid.tags.x')).toBeUndefined();
    expect(getPath(answer, 'result.5.status')).toBeUndefined();
    expect(getPath(null, 'bid')).toBeUndefined();
    expect(getPath('text', 'length')).toBeUndefined();
  });

  it('reads own properties only, never the prototype chain', () => {
    const parsed = JSON.parse('{"__proto__": {"price": 9}, "x": {}}') as unknown;
    expect(getPath(parsed, '__proto__.price')).toBe(9); // a buyer's own "__proto__" key is a plain key
    expect(getPath(parsed, 'x.constructor')).toBeUndefined();
    expect(getPath(parsed, 'x.toString')).toBeUndefined();
    expect(getPath([], 'length')).toBeUndefined();
  });

  it('gives the same answers when a path is read again, for many distinct paths', () => {
    // More distinct paths than the split cache keeps, read twice each.
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < 1_500; i++) wide[`k${i}`] = { v: i };
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 1_500; i++) expect(getPath(wide, `k${i}.v`)).toBe(i);
    }
  });
});

describe('tryJson', () => {
  it('parses JSON and says when the text is not JSON', () => {
    expect(tryJson('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(tryJson('null')).toEqual({ ok: true, value: null });
    expect(tryJson('<html>')).toEqual({ ok: false });
    expect(tryJson('')).toEqual({ ok: false });
  });
});

describe('brief', () => {
  it('writes a value as JSON, shortened, and missing for undefined', () => {
    expect(brief(undefined)).toBe('missing');
    expect(brief('accepted')).toBe('"accepted"');
    expect(brief({ a: 1 })).toBe('{"a":1}');
    expect(brief('x'.repeat(100), 10)).toBe('"xxxxxxx' + 'x…');
  });
});
