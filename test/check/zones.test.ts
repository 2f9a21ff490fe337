import { describe, expect, it } from 'vitest';
import { closestZone, isValidZone } from '../../src/core/zones.js';

describe('time zones', () => {
  it('accepts IANA names and UTC', () => {
    for (const z of ['America/New_York', 'Europe/London', 'UTC', 'Asia/Kolkata']) expect(isValidZone(z)).toBe(true);
  });
  it('rejects others', () => {
    for (const z of ['America/New_Yrok', 'Mars/Olympus', '', 'EST+5']) expect(isValidZone(z)).toBe(false);
  });
  it('suggests the closest name', () => {
    expect(closestZone('America/New_Yrok')).toBe('America/New_York');
    expect(closestZone('America/Chicgo')).toBe('America/Chicago');
    expect(closestZone('New York')).toBe('America/New_York');
    expect(closestZone('Zzzzzz/Qqqqqqqq')).toBeUndefined();
    expect(closestZone('America/New_York'.repeat(100_000))).toBeUndefined();
  });
});
