import { describe, expect, it } from 'vitest';
import { calendarProblem as checkCalendar } from '../../src/core/calendars.js';

describe('holiday calendars', () => {
  it('accepts countries, regions and sub-regions date-holidays knows', () => {
    for (const c of ['US', 'US-CA', 'DE', 'DE-BY', 'DE-BY-A', 'GB', 'BR-GO-GOIANIA']) expect(checkCalendar(c)).toBeUndefined();
  });
  it('rejects unknown ones, with a guess', () => {
    expect(checkCalendar('us')?.suggestion).toBe('did you mean `"US"`?');
    expect(checkCalendar('US-CX')?.suggestion).toBe('did you mean `"US-CA"`?');
    expect(checkCalendar('US-CA-XYZ')?.problem).toContain('no part of `US-CA`');
    expect(checkCalendar('')).toBeDefined();
  });
  it('rejects the mixed-case codes date-holidays lists but cannot look up, naming the code it can', () => {
    expect(checkCalendar('CK-Aitutaki')?.suggestion).toBe('write `"CK"`');
    expect(checkCalendar('NZ-CAN-Timaru')?.suggestion).toBe('write `"NZ-CAN"`');
  });
});
