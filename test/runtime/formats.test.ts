import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import addFormatsModule from 'ajv-formats';
import { isCanonicalDateTime, isEmail } from '../../src/runtime/formats.js';

type Plugin = { get(name: string, mode?: string): unknown };
const plugin = ((addFormatsModule as unknown as { default?: Plugin }).default ?? addFormatsModule) as unknown as Plugin;
const fullEmail = plugin.get('email', 'full') as RegExp;
const fullDateTime = (plugin.get('date-time', 'full') as { validate: (s: string) => boolean }).validate;

/** Strings built from the characters that matter to a grammar, so edge cases are common. */
const stringOf = (alphabet: string[], maxLength = 30) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength }).map((cs) => cs.join(''));

describe('isEmail', () => {
  it('agrees with the ajv-formats full email expression on examples', () => {
    const cases = [
      'a@b.co', 'hiro.kowalski13@example.net', 'A.B-C+tag@Sub-1.Example.COM', "o'neil!#$%&*/=?^_`{|}~-@x.y",
      '', '@b.co', 'a@', 'a@b', 'a@b.', 'a@.b', '.a@b.co', 'a.@b.co', 'a..b@c.de', 'a@-b.co', 'a@b-.co', 'a@b..co',
      'a b@c.de', 'a@b.c-d', 'a@b.-cd', 'ü@b.co', 'a@bü.co', 'a@@b.co', 'a@b.co\n',
    ];
    for (const s of cases) expect([s, isEmail(s)]).toEqual([s, fullEmail.test(s)]);
  });
  it('agrees with it on generated strings', () => {
    const alphabet = ['a', 'Z', '0', '.', '@', '-', '_', '+', ' ', '!', 'é', '~'];
    fc.assert(
      fc.property(stringOf(alphabet), (s) => isEmail(s) === fullEmail.test(s)),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(stringOf(alphabet, 8), stringOf(alphabet, 12), (a, b) => {
        const s = `${a}@${b}`;
        return isEmail(s) === fullEmail.test(s);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('isCanonicalDateTime', () => {
  it('accepts canonical timestamps and implies the full check', () => {
    for (const s of ['2026-11-23T00:00:23.000Z', '2024-02-29T23:59:59Z', '2026-03-10t15:00:00+05:30', '2026-03-10T15:00:00.1-08:00']) {
      expect(isCanonicalDateTime(s)).toBe(true);
      expect(fullDateTime(s)).toBe(true);
    }
  });
  it('says false for everything else, which the full check then decides', () => {
    for (const s of ['2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-23T24:00:00Z', '2026-11-23T00:00:23.Z', '2026-11-23T00:00:23', '2026-11-23 00:00:23Z', '2016-12-31T23:59:60Z', '2026-11-23T00:00:23+0530']) {
      expect(isCanonicalDateTime(s)).toBe(false);
    }
  });
  it('never accepts what the full check rejects (generated near-timestamps)', () => {
    const digit = fc.constantFrom('0', '1', '2', '3', '5', '9');
    const piece = fc.oneof(digit, fc.constantFrom('-', ':', 'T', 't', ' ', 'Z', 'z', '+', '.', 'x'));
    const near = fc
      .tuple(fc.constantFrom('2026-11-23T00:00:23.000Z', '2024-02-29T12:30:59+05:30', '2000-12-31T23:59:59Z'), fc.array(fc.tuple(fc.nat(30), piece), { maxLength: 3 }))
      .map(([base, edits]) => {
        const cs = base.split('');
        for (const [at, ch] of edits) cs[at % cs.length] = ch;
        return cs.join('');
      });
    fc.assert(
      fc.property(near, (s) => {
        const wrapped = isCanonicalDateTime(s) || fullDateTime(s);
        return wrapped === fullDateTime(s);
      }),
      { numRuns: 30_000 },
    );
  });
});
