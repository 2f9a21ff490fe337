import { describe, expect, it } from 'vitest';
import { MAX_SUGGESTION_NAME_LENGTH } from '../../src/core/limits.js';
import { closestZone } from '../../src/core/zones.js';
import { closestName, didYouMean, editDistance } from '../../src/core/suggest.js';

describe('did-you-mean', () => {
  it('finds the closest name, the first of equals', () => {
    expect(closestName('credit_scor', ['credit_score', 'lead_score'])).toBe('credit_score');
    expect(closestName('ab', ['ax', 'ay'])).toBe('ax');
    expect(didYouMean('Premum', ['Premium', 'Standard'])).toBe('did you mean `Premium`?');
    expect(closestName('zzzzzz', ['Premium'])).toBeUndefined();
  });

  it('stops a distance once it passes the limit, without changing distances within it', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
    expect(editDistance('a'.repeat(1000), 'b', 2)).toBe(3);
  });

  it('gives no suggestion for a name longer than the bound, however long', () => {
    const huge = 'America/New_York'.repeat(65_536); // 1 MB
    expect(closestName(huge, ['America/New_York'])).toBeUndefined();
    expect(closestZone(huge)).toBeUndefined();
    const atBound = 'x'.repeat(MAX_SUGGESTION_NAME_LENGTH - 1) + 'y';
    expect(closestName(atBound, ['x'.repeat(MAX_SUGGESTION_NAME_LENGTH)])).toBe('x'.repeat(MAX_SUGGESTION_NAME_LENGTH));
  });
});
