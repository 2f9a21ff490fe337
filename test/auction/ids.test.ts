import { describe, expect, it } from 'vitest';
import { newId } from '../../src/auction/ids.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  it('makes version 4 UUIDs, lower-case, in the canonical form', () => {
    for (let i = 0; i < 2_000; i++) expect(newId()).toMatch(V4);
  });

  it('never repeats, across many batches of random bytes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(newId());
    expect(seen.size).toBe(100_000);
  });

  it('spreads its random digits over all sixteen hex values at every random position', () => {
    const ids = Array.from({ length: 4_000 }, () => newId().replace(/-/g, ''));
    for (let pos = 0; pos < 32; pos++) {
      const digits = new Set(ids.map((id) => id[pos]));
      if (pos === 12) expect([...digits]).toEqual(['4']); // the version
      else if (pos === 16) expect([...digits].sort()).toEqual(['8', '9', 'a', 'b']); // the variant
      else expect(digits.size).toBe(16);
    }
  });
});
