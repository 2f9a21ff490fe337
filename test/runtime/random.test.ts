import { describe, it, expect } from 'vitest';
import { canonicalJson, hash32, leadIdOf, leadRandom, SeededRandom, splitDraw } from '../../src/runtime/random.js';

/** An independent reference implementation of the documented algorithm. */
function refHash(s: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

describe('hash32', () => {
  it('matches the documented FNV-1a (UTF-8) + fmix32 algorithm', () => {
    for (const s of ['', 'a', '0:L1', 'seed:lead-42', 'ünïcødé', '日本語', '😀 emoji', 'x'.repeat(1000)]) {
      expect(hash32(s)).toBe(refHash(s));
    }
  });
  it('FNV-1a of the empty string is the offset basis, finalised', () => {
    expect(hash32('')).toBe(refHash(''));
    expect(hash32('')).toBeGreaterThanOrEqual(0);
  });
});

describe('leadRandom', () => {
  it('is 1 + hash32(`${seed}:${leadId}`) % 100', () => {
    expect(leadRandom(0, 'L1')).toBe(1 + (refHash('0:L1') % 100));
    expect(leadRandom('spring', 'abc')).toBe(1 + (refHash('spring:abc') % 100));
  });
  it('is reproducible and in 1..100', () => {
    for (let i = 0; i < 5000; i++) {
      const r = leadRandom(7, `lead-${i}`);
      expect(r).toBe(leadRandom(7, `lead-${i}`));
      expect(Number.isInteger(r)).toBe(true);
      expect(r).toBeGreaterThanOrEqual(1);
      expect(r).toBeLessThanOrEqual(100);
    }
  });
  it('depends on the seed', () => {
    let same = 0;
    for (let i = 0; i < 1000; i++) if (leadRandom(1, `L${i}`) === leadRandom(2, `L${i}`)) same++;
    expect(same).toBeLessThan(30);
  });
  it('is close to uniform over 100,000 sequential ids', () => {
    const counts = new Array<number>(101).fill(0);
    for (let i = 0; i < 100_000; i++) counts[leadRandom(0, `lead-${i}`)]!++;
    for (let v = 1; v <= 100; v++) {
      expect(counts[v]).toBeGreaterThan(850);
      expect(counts[v]).toBeLessThan(1150);
    }
    let below60 = 0;
    for (let v = 1; v <= 60; v++) below60 += counts[v]!;
    expect(Math.abs(below60 / 100_000 - 0.6)).toBeLessThan(0.01);
  });
});

describe('splitDraw', () => {
  it('is hash32(`split:${seed}:${ruleId}:${leadId}`) / 2^32 * 100', () => {
    expect(splitDraw(0, 'L1', 'solar#2')).toBe((refHash('split:0:solar#2:L1') / 2 ** 32) * 100);
  });
  it('is a float in [0, 100)', () => {
    for (let i = 0; i < 5000; i++) {
      const d = splitDraw(0, `L${i}`, 'r#0');
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(100);
    }
  });
  it('is independent of random: a 60/30/10 split holds among leads with random <= 50', () => {
    const counts = [0, 0, 0];
    let n = 0;
    for (let i = 0; i < 40_000; i++) {
      const id = `lead-${i}`;
      if (leadRandom(0, id) > 50) continue;
      n++;
      const d = splitDraw(0, id, 'solar#1');
      counts[d < 60 ? 0 : d < 90 ? 1 : 2]!++;
    }
    expect(Math.abs(counts[0]! / n - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(counts[1]! / n - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(counts[2]! / n - 0.1)).toBeLessThan(0.02);
  });
  it('is uncorrelated with random and across rules', () => {
    const n = 20_000;
    const xs: number[] = [];
    const ys: number[] = [];
    const zs: number[] = [];
    for (let i = 0; i < n; i++) {
      xs.push(leadRandom(0, `L${i}`));
      ys.push(splitDraw(0, `L${i}`, 'a#0'));
      zs.push(splitDraw(0, `L${i}`, 'a#1'));
    }
    const corr = (a: number[], b: number[]) => {
      const ma = a.reduce((s, v) => s + v, 0) / n;
      const mb = b.reduce((s, v) => s + v, 0) / n;
      let c = 0;
      let va = 0;
      let vb = 0;
      for (let i = 0; i < n; i++) {
        c += (a[i]! - ma) * (b[i]! - mb);
        va += (a[i]! - ma) ** 2;
        vb += (b[i]! - mb) ** 2;
      }
      return c / Math.sqrt(va * vb);
    };
    expect(Math.abs(corr(xs, ys))).toBeLessThan(0.03);
    expect(Math.abs(corr(ys, zs))).toBeLessThan(0.03);
  });
});

describe('SeededRandom', () => {
  it('gives exactly the exported functions’ numbers', () => {
    for (const seed of [0, 42, 'abc', '']) {
      const r = new SeededRandom(seed);
      for (let i = 0; i < 200; i++) {
        expect(r.random(`L${i}`)).toBe(leadRandom(seed, `L${i}`));
        expect(r.split(`L${i}`, 'f#3')).toBe(splitDraw(seed, `L${i}`, 'f#3'));
      }
    }
  });
});

describe('lead ids', () => {
  it('uses lead.id when it is a string or a number', () => {
    expect(leadIdOf({ id: 'abc', x: 1 })).toBe('abc');
    expect(leadIdOf({ id: 42 })).toBe('42');
  });
  it('hashes the canonical JSON otherwise, independent of key order', () => {
    const a = leadIdOf({ state: 'CA', credit_score: 700, nested: { b: 1, a: [1, { d: 2, c: 3 }] } });
    const b = leadIdOf({ nested: { a: [1, { c: 3, d: 2 }], b: 1 }, credit_score: 700, state: 'CA' });
    expect(a).toBe(b);
    expect(a).toMatch(/^lead-[0-9a-f]{16}$/);
    expect(leadIdOf({ state: 'CA', credit_score: 701 })).not.toBe(leadIdOf({ state: 'CA', credit_score: 700 }));
    expect(leadIdOf({ id: { x: 1 } })).toMatch(/^lead-/);
  });
  it('canonical JSON sorts keys recursively and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, 'x'] } })).toBe('{"a":{"c":[2,"x"]},"b":1}');
    expect(canonicalJson([undefined, null])).toBe('[null,null]');
  });
});
