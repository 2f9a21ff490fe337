// The lead limits are defined once (src/core/limits.ts); the reference lists
// them. This fails when the two disagree, and checks the guard enforces each
// limit exactly at its edge.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_LEAD_DEPTH, MAX_LEAD_NAME_LENGTH, MAX_LEAD_TEXT, MAX_LEAD_VALUES } from '../../src/core/limits.js';
import type { FieldType } from '../../src/plan/index.js';
import { inspectLead, leadShapeOf, MAX_LEAD_PROBLEMS, textLimitOf, trimLead } from '../../src/runtime/lead-guard.js';
import { canonicalJson, leadIdOf } from '../../src/runtime/index.js';

const REFERENCE = readFileSync(new URL('../../grammar/REFERENCE.md', import.meta.url), 'utf8');
const n = (x: number) => x.toLocaleString('en-US');

describe('the reference lists the lead limits of src/core/limits.ts', () => {
  it('the longest text of each field type', () => {
    const rows = new Map<string, string>();
    const table = REFERENCE.slice(REFERENCE.indexOf('| type | longest text |'));
    for (const line of table.split('\n').slice(2)) {
      if (!line.startsWith('|')) break;
      const [name, value] = line.split('|').slice(1, 3).map((c) => c.trim());
      rows.set(name!, value!);
    }
    const docName = (k: string) => (k === 'other' ? 'any other text (undeclared fields, nested values)' : k === 'enum' ? 'enum' : `\`${k}\``);
    for (const [kind, limit] of Object.entries(MAX_LEAD_TEXT)) expect(rows.get(docName(kind)), kind).toBe(n(limit));
    expect(rows.size).toBe(Object.keys(MAX_LEAD_TEXT).length);
  });

  it('nesting, values, field names and problems listed', () => {
    expect(REFERENCE).toContain(`| ${MAX_LEAD_DEPTH} levels | \`x[0][0]…: is nested deeper than ${MAX_LEAD_DEPTH} levels\` |`);
    expect(REFERENCE).toContain(`| ${n(MAX_LEAD_VALUES)} | \`tags: is past the ${n(MAX_LEAD_VALUES)} values a lead may hold\` |`);
    expect(REFERENCE).toContain(`| ${MAX_LEAD_NAME_LENGTH} characters | \`kkk…: is a field name longer than ${MAX_LEAD_NAME_LENGTH} characters\` |`);
    expect(REFERENCE).toContain(`A rejection lists at most ${MAX_LEAD_PROBLEMS} problems.`);
  });

  it('every text field type has a limit in the table', () => {
    const kinds: FieldType[] = [
      { kind: 'string' },
      { kind: 'enum', values: ['a'] },
      { kind: 'email' },
      { kind: 'phone' },
      { kind: 'zip' },
      { kind: 'state' },
      { kind: 'time' },
    ];
    for (const t of kinds) expect(textLimitOf(t)).toBe(MAX_LEAD_TEXT[t.kind as keyof typeof MAX_LEAD_TEXT]);
    expect(textLimitOf({ kind: 'list', of: { kind: 'email' } })).toBe(MAX_LEAD_TEXT.email);
  });
});

describe('the guard holds each limit at its edge', () => {
  const shape = leadShapeOf([
    { name: 'email', type: { kind: 'email' }, pii: true, optional: true },
    { name: 'tags', type: { kind: 'list', of: { kind: 'state' } }, pii: false, optional: true },
  ]);
  const nest = (levels: number): unknown => {
    let v: unknown = 1;
    for (let i = 1; i < levels; i++) v = [v];
    return v;
  };

  it('nesting', () => {
    // The lead is level 1 and nest(k) is k - 1 arrays: `{ x: nest(k) }` is k levels deep.
    expect(inspectLead({ x: nest(MAX_LEAD_DEPTH) }, shape)).toBeNull();
    expect(inspectLead({ x: nest(MAX_LEAD_DEPTH + 1) }, shape)?.[0]?.message).toBe(`is nested deeper than ${MAX_LEAD_DEPTH} levels`);
  });

  it('values', () => {
    const lead = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, i]));
    expect(inspectLead(lead(MAX_LEAD_VALUES), shape)).toBeNull();
    expect(inspectLead(lead(MAX_LEAD_VALUES + 1), shape)).toEqual([{ field: `f${MAX_LEAD_VALUES}`, message: `is past the ${MAX_LEAD_VALUES} values a lead may hold` }]);
  });

  it('names and texts, by field type (a list, its items\' type)', () => {
    expect(inspectLead({ ['k'.repeat(MAX_LEAD_NAME_LENGTH)]: 1 }, shape)).toBeNull();
    expect(inspectLead({ ['k'.repeat(MAX_LEAD_NAME_LENGTH + 1)]: 1 }, shape)?.[0]?.field).toBe(`${'k'.repeat(40)}…`);
    expect(inspectLead({ email: 'e'.repeat(MAX_LEAD_TEXT.email) }, shape)).toBeNull();
    expect(inspectLead({ email: 'e'.repeat(MAX_LEAD_TEXT.email + 1) }, shape)).toEqual([{ field: 'email', message: `is longer than ${MAX_LEAD_TEXT.email} characters` }]);
    expect(inspectLead({ tags: ['CA', 'TXX'] }, shape)).toEqual([{ field: 'tags[1]', message: `is longer than ${MAX_LEAD_TEXT.state} characters` }]);
    expect(inspectLead({ other: 'o'.repeat(MAX_LEAD_TEXT.other + 1) }, shape)?.[0]?.field).toBe('other');
  });

  it(`stops after ${MAX_LEAD_PROBLEMS} problems`, () => {
    const lead = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`n${i}`, Infinity]));
    expect(inspectLead(lead, shape)).toHaveLength(MAX_LEAD_PROBLEMS);
  });
});

describe('lead ids', () => {
  it('a valid lead without an id hashes its full canonical JSON, as before', () => {
    const lead = { b: [1, { d: 'x', c: null }], a: 'é' };
    expect(canonicalJson(lead)).toBe('{"a":"é","b":[1,{"c":null,"d":"x"}]}');
    expect(leadIdOf(lead)).toMatch(/^lead-[0-9a-f]{16}$/);
    expect(leadIdOf({ ...lead })).toBe(leadIdOf(lead));
  });

  it('a rejected lead still gets an id: deep, huge, unreadable or with an overlong id', () => {
    const deep = nestArrays(100_000);
    expect(leadIdOf({ x: deep })).toMatch(/^lead-[0-9a-f]{16}$/);
    expect(leadIdOf({ x: deep })).not.toBe(leadIdOf({ x: nestArrays(10) }));
    const getter = Object.defineProperty({}, 'id', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(leadIdOf(getter)).toMatch(/^lead-[0-9a-f]{16}$/);
    expect(leadIdOf({ n: 10n })).toMatch(/^lead-/);
    expect(leadIdOf({ id: 'i'.repeat(1_000_000) })).toBe(`${'i'.repeat(Math.max(...Object.values(MAX_LEAD_TEXT)))}…`);
  });

  function nestArrays(levels: number): unknown {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = [v];
    return v;
  }
});

describe('trimming', () => {
  it('trims exactly what String.prototype.trim trims', () => {
    const shape = leadShapeOf([{ name: 'email', type: { kind: 'email' }, pii: true, optional: true }]);
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      const lead = { email: `${ch}a@b.co` };
      const trimmed = trimLead(lead, shape) as { email: string };
      if (trimmed.email !== lead.email.trim()) throw new Error(`U+${c.toString(16)} is trimmed differently`);
    }
  });
});
