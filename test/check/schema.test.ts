import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/index.js';
import type { RuleFile, Span } from '../../src/lang/ast.js';
import { expectDiagnostics, only, run } from './helpers.js';

const bare = { prelude: false };
const REST = 'buyer A {} flow f { route A }';

describe('inline lead schema', () => {
  it('resolves every field with its type, pii and optional flags', () => {
    const r = run(
      `lead { id: string  score: int 300..850  amt: money 0..10  x: number  ok: bool  s: state  z: zip  e: email pii  p: phone pii optional  t: time  l: list state  b: "a" | "b" optional } ${REST}`,
      bare,
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.fields).toEqual([
      { name: 'id', type: { kind: 'string' }, pii: false, optional: false },
      { name: 'score', type: { kind: 'int', min: 300, max: 850 }, pii: false, optional: false },
      { name: 'amt', type: { kind: 'money', min: 0, max: 10 }, pii: false, optional: false },
      { name: 'x', type: { kind: 'number' }, pii: false, optional: false },
      { name: 'ok', type: { kind: 'bool' }, pii: false, optional: false },
      { name: 's', type: { kind: 'state' }, pii: false, optional: false },
      { name: 'z', type: { kind: 'zip' }, pii: false, optional: false },
      { name: 'e', type: { kind: 'email' }, pii: true, optional: false },
      { name: 'p', type: { kind: 'phone' }, pii: true, optional: true },
      { name: 't', type: { kind: 'time' }, pii: false, optional: false },
      { name: 'l', type: { kind: 'list', of: { kind: 'state' } }, pii: false, optional: false },
      { name: 'b', type: { kind: 'enum', values: ['a', 'b'] }, pii: false, optional: true },
    ]);
  });
  it('a duplicate field (LR205); the first declaration wins', () => {
    const r = run(`lead { a: int a: bool } ${REST}`, bare);
    expect(r.diagnostics.map((d) => `${d.code}@${d.span.col}`)).toEqual(['LR205@15']);
    expect(r.fields).toEqual([{ name: 'a', type: { kind: 'int' }, pii: false, optional: false }]);
  });
  it('an empty range (LR307)', () => {
    expectDiagnostics(`lead { a: int 10..1 } ${REST}`, ['LR307@1:11'], bare);
    expectDiagnostics(`lead { a: list money 5..2 } ${REST}`, ['LR307@1:16'], bare);
  });
  it('no lead schema (LR207) at the start of the file, without an LR200 for every field', () => {
    const d = only('buyer A {} flow f { when x > 1 route A }', bare);
    expect(d).toMatchObject({ code: 'LR207', span: { line: 1, col: 1 } });
  });
});

describe('reserved names (LR210)', () => {
  // The parser does not accept `random` as a field name, so build the AST.
  const span = (start: number, len: number): Span => ({
    file: 't.route', line: 1, col: start + 1, endLine: 1, endCol: start + 1 + len, start, end: start + len,
  });
  it('a field named random', () => {
    const ast: RuleFile = {
      file: 't.route',
      lead: { kind: 'inline', fields: [{ name: { name: 'random', span: span(7, 6) }, type: { kind: 'int', span: span(15, 3) }, pii: false, optional: false, span: span(7, 11) }], span: span(0, 20) },
      buyers: [{ name: { name: 'A', span: span(27, 1) }, clauses: [], span: span(21, 10) }],
      flows: [{ name: { name: 'f', span: span(37, 1) }, rules: [{ kind: 'always', action: { kind: 'route', buyer: { name: 'A', span: span(47, 1) }, caps: [], span: span(41, 7) }, span: span(41, 7) }], span: span(32, 20) }],
      alerts: [],
      span: span(0, 52),
    };
    const r = check(ast);
    expect(r.diagnostics.map((d) => `${d.code}@${d.span.col}`)).toEqual(['LR210@8']);
    expect(r.fields).toEqual([]);
  });
});

describe('lead from a JSON Schema file', () => {
  const schema = {
    type: 'object',
    required: ['id', 'score', 'state', 'email', 'created', 'tags', 'bill', 'ok', 'amount', 'zip', 'phone', 'ratio'],
    properties: {
      id: { type: 'string' },
      score: { type: 'integer', minimum: 300, maximum: 850 },
      ratio: { type: 'number' },
      ok: { type: 'boolean' },
      bill: { type: 'string', enum: ['low', 'high'] },
      email: { type: 'string', format: 'email', 'x-pii': true },
      created: { type: 'string', format: 'date-time' },
      state: { type: 'string', 'x-leadroute-type': 'state' },
      zip: { type: 'string', 'x-leadroute-type': 'zip' },
      phone: { type: 'string', 'x-leadroute-type': 'phone', 'x-pii': true },
      amount: { type: 'number', 'x-leadroute-type': 'money', minimum: 0 },
      tags: { type: 'array', items: { type: 'string' } },
      nickname: { type: ['string', 'null'] },
    },
  };
  const files: Record<string, string> = { [path.resolve('/rules/schemas/lead.json')]: JSON.stringify(schema) };
  const readFile = (p: string) => files[p];

  it('maps the schema to fields, resolving the path against baseDir', () => {
    const r = run(`lead from "schemas/lead.json" buyer A {} flow f { when score > 700 and state == CA route A }`, {
      prelude: false,
      readFile,
      baseDir: '/rules',
    });
    expect(r.diagnostics).toEqual([]);
    expect(Object.fromEntries(r.fields.map((f) => [f.name, f]))).toEqual({
      id: { name: 'id', type: { kind: 'string' }, pii: false, optional: false },
      score: { name: 'score', type: { kind: 'int', min: 300, max: 850 }, pii: false, optional: false },
      ratio: { name: 'ratio', type: { kind: 'number' }, pii: false, optional: false },
      ok: { name: 'ok', type: { kind: 'bool' }, pii: false, optional: false },
      bill: { name: 'bill', type: { kind: 'enum', values: ['low', 'high'] }, pii: false, optional: false },
      email: { name: 'email', type: { kind: 'email' }, pii: true, optional: false },
      created: { name: 'created', type: { kind: 'time' }, pii: false, optional: false },
      state: { name: 'state', type: { kind: 'state' }, pii: false, optional: false },
      zip: { name: 'zip', type: { kind: 'zip' }, pii: false, optional: false },
      phone: { name: 'phone', type: { kind: 'phone' }, pii: true, optional: false },
      amount: { name: 'amount', type: { kind: 'money', min: 0 }, pii: false, optional: false },
      tags: { name: 'tags', type: { kind: 'list', of: { kind: 'string' } }, pii: false, optional: false },
      nickname: { name: 'nickname', type: { kind: 'string' }, pii: false, optional: true },
    });
  });
  it('the schema types drive checking', () => {
    expectDiagnostics('lead from "schemas/lead.json" buyer A {} flow f { when score > 900 and bill == "mid" route A }', ['LR308@1:64', 'LR301@1:80'], {
      prelude: false,
      readFile,
      baseDir: '/rules',
    });
  });
  it('defaults baseDir to the rule file\'s directory', () => {
    const r = run('lead from "schemas/lead.json" buyer A {} flow f { route A }', { prelude: false, readFile: (p) => (p === path.resolve('schemas/lead.json') ? '{"properties":{"a":{"type":"integer"}}}' : undefined) });
    expect(r.diagnostics).toEqual([]);
    expect(r.fields).toEqual([{ name: 'a', type: { kind: 'int' }, pii: false, optional: true }]);
  });

  const lr208 = (text: string | undefined) =>
    only('lead from "x.json" buyer A {} flow f { when nope > 1 route A }', { prelude: false, readFile: () => text, baseDir: '/' });
  it('a missing file (LR208) at the path, without LR200 for every field', () => {
    const d = lr208(undefined);
    expect(d).toMatchObject({ code: 'LR208', span: { line: 1, col: 11, endCol: 19 } });
    expect(d.message).toBe('cannot read the lead schema `x.json`');
  });
  it('invalid JSON', () => {
    expect(lr208('{ nope').message).toBe('the lead schema `x.json` is not valid JSON (line 1, column 3)');
  });
  it('invalid JSON is never quoted: the file might be anything', () => {
    const message = lr208('root:x:0:0:root:/root:/bin/bash\n').message;
    expect(message).toBe('the lead schema `x.json` is not valid JSON');
    expect(message).not.toContain('root');
  });
  it('no properties', () => {
    expect(lr208('[1, 2]').message).toContain('needs a top-level `properties` object');
  });
  it('a property with no usable type', () => {
    const r = run('lead from "x.json" buyer A {} flow f { when a > 1 route A }', {
      prelude: false,
      readFile: () => JSON.stringify({ properties: { a: { type: 'integer' }, b: { type: 'object' }, c: { type: 'array' }, d: { 'x-leadroute-type': 'color' } } }),
    });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LR208', 'LR208', 'LR208']);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'the lead schema `x.json`: property `b` has the type "object", which leadroute cannot route on',
      'the lead schema `x.json`: property `c` is an array without an `items` schema',
      expect.stringContaining('property `d` has an unknown `x-leadroute-type` "color"'),
    ]);
    expect(r.fields.map((f) => f.name)).toEqual(['a']);
  });
  it('a reserved property name (LR210) and an empty range (LR307)', () => {
    const r = run('lead from "x.json" buyer A {} flow f { route A }', {
      prelude: false,
      readFile: () => JSON.stringify({ properties: { random: { type: 'integer' }, n: { type: 'integer', minimum: 5, maximum: 1 } } }),
    });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LR210', 'LR307']);
    expect(r.fields.map((f) => f.name)).toEqual(['n']);
  });
});
