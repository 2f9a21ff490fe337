import { describe, expect, it } from 'vitest';
import { checkCalendar } from '../../src/check/holidays.js';

describe('holiday calendars', () => {
  it('accepts countries, regions and sub-regions date-holidays knows', () => {
    for (const c of ['US', 'US-CA', 'DE', 'DE-BY', 'GB']) expect(checkCalendar(c)).toBeUndefined();
  });
  it('rejects unknown ones, with a guess', () => {
    expect(checkCalendar('us')?.suggestion).toBe('did you mean `"US"`?');
    expect(checkCalendar('US-CX')?.suggestion).toBe('did you mean `"US-CA"`?');
    expect(checkCalendar('US-CA-XYZ')?.problem).toContain('no part of `US-CA`');
    expect(checkCalendar('')).toBeDefined();
  });
});
