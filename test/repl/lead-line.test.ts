import { describe, expect, it } from 'vitest';
import type { PlanField } from '../../src/plan/index.js';
import { describeType, parseLeadLine } from '../../src/repl/lead-line.js';

const field = (name: string, type: PlanField['type']): PlanField => ({ name, type, pii: false, optional: true });
const FIELDS: PlanField[] = [
  field('state', { kind: 'state' }),
  field('credit_score', { kind: 'int', min: 300, max: 850 }),
  field('ratio', { kind: 'number' }),
  field('loan', { kind: 'money' }),
  field('homeowner', { kind: 'bool' }),
  field('bill', { kind: 'enum', values: ['0-100', '300+'] }),
  field('name', { kind: 'string' }),
  field('zip', { kind: 'zip' }),
  field('tags', { kind: 'list', of: { kind: 'string' } }),
  field('scores', { kind: 'list', of: { kind: 'int' } }),
];

const lead = (line: string) => {
  const r = parseLeadLine(line, FIELDS);
  if (!r.ok) throw new Error(r.error);
  return r.lead;
};
const error = (line: string) => {
  const r = parseLeadLine(line, FIELDS);
  if (r.ok) throw new Error(`parsed: ${JSON.stringify(r.lead)}`);
  return r.error;
};

describe('a lead typed as name=value pairs', () => {
  it('reads each value by its field type', () => {
    expect(lead('state=CA credit_score=720 ratio=0.25 loan=$397000.50 homeowner=true bill=300+ zip=01234')).toEqual({
      state: 'CA',
      credit_score: 720,
      ratio: 0.25,
      loan: 397000.5,
      homeowner: true,
      bill: '300+',
      zip: '01234',
    });
    expect(lead('homeowner=no')).toEqual({ homeowner: false });
    expect(lead('homeowner=YES')).toEqual({ homeowner: true });
  });

  it('reads lists at commas, each item by the item type; an empty value is the empty list', () => {
    expect(lead('tags=a,b,c scores=1,2')).toEqual({ tags: ['a', 'b', 'c'], scores: [1, 2] });
    expect(lead('tags=')).toEqual({ tags: [] });
    expect(lead('tags="a, b",c')).toEqual({ tags: ['a, b', 'c'] });
  });

  it('groups quoted text with spaces, commas and escaped quotes', () => {
    expect(lead('name="Pat \\"P\\" Lee, Jr" state=TX')).toEqual({ name: 'Pat "P" Lee, Jr', state: 'TX' });
    expect(lead('name=a,b')).toEqual({ name: 'a,b' });
    expect(lead('name=')).toEqual({ name: '' });
  });

  it('leaves whether a value is allowed to the lead schema (enum values, ranges, state codes)', () => {
    expect(lead('bill=lots credit_score=9999 state=XX')).toEqual({ bill: 'lots', credit_score: 9999, state: 'XX' });
  });

  it('names the field in every error', () => {
    expect(error('credit_score=abc')).toBe('credit_score: `abc` is not a number (the field is int 300..850)');
    expect(error('loan=$12k')).toMatch(/^loan: `\$12k` is not a number/);
    expect(error('homeowner=maybe')).toBe('homeowner: `maybe` is not true or false (the field is bool)');
    expect(error('scores=1,x')).toMatch(/^scores: item `x`: `x` is not a number/);
    expect(error('credit=5')).toMatch(/^unknown field `credit` \(did you mean `credit_score`\?\)/);
    expect(error('stat=CA')).toMatch(/did you mean `state`\?/);
    expect(error('state=CA state=TX')).toBe('`state` is given twice');
    expect(error('name="Pat')).toMatch(/^name: the quote at column 6 is not closed/);
    expect(error('state')).toMatch(/`state` \(column 1\) needs a value/);
  });

  it('does not let a field named like an Object member through', () => {
    expect(error('__proto__=1')).toMatch(/^unknown field `__proto__`/);
    expect(error('constructor=1')).toMatch(/^unknown field `constructor`/);
  });
});

describe('a lead typed as JSON', () => {
  it('is taken as it is, fields the schema does not declare included', () => {
    expect(lead('{"state":"CA","extra":[1]}')).toEqual({ state: 'CA', extra: [1] });
  });
  it('must be a JSON object', () => {
    expect(error('{"state":')).toMatch(/^not valid JSON/);
    expect(parseLeadLine('[1]', FIELDS).ok).toBe(false);
  });
});

describe('describeType', () => {
  it('writes a type as the rule file does', () => {
    expect(FIELDS.map((f) => describeType(f.type))).toEqual(['state', 'int 300..850', 'number', 'money', 'bool', '"0-100" | "300+"', 'string', 'zip', 'list string', 'list int']);
  });
});
