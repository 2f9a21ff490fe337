import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/index.js';
import { checkStrict } from '../../src/check/checker.js';
import type { RuleFile } from '../../src/lang/ast.js';
import { parse } from '../../src/lang/index.js';
import { run } from './helpers.js';

describe('check', () => {
  it('returns diagnostics sorted by position, and the lead fields', () => {
    const r = run('flow f { when zzz > 1 route Q\n when state == XX route A }');
    expect(r.diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}`)).toEqual([
      'LR200@1:15',
      'LR201@1:29',
      'LR302@2:16',
    ]);
    expect(r.fields.map((f) => f.name)).toContain('credit_score');
  });
  it('gives every diagnostic its severity from the code table', () => {
    const r = run('flow f { when credit_score > 900 route A }');
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['LR308', 'warning']]);
  });
  it('tolerates recovery errors silently: the parser reported them', () => {
    const { ast, diagnostics } = parse('lead { a: int } buyer A {} flow f { when a > route A\n when (a + ) > 1 route A }', 't.route');
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(checkStrict(ast).diagnostics).toEqual([]);
  });
});

describe('the example rule files', () => {
  const dir = path.resolve('rules');
  const files = readdirSync(dir).filter((f) => f.endsWith('.route'));
  it.each(files)('%s checks clean', (file) => {
    const source = readFileSync(path.join(dir, file), 'utf8');
    const { ast, diagnostics } = parse(source, file);
    expect(diagnostics).toEqual([]);
    const r = checkStrict(ast, { baseDir: dir });
    expect(r.diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col} ${d.message}`)).toEqual([]);
    expect(r.fields.length).toBeGreaterThan(0);
  });
});

describe('never throws', () => {
  const span = { file: 'x', line: 1, col: 1, endLine: 1, endCol: 2, start: 0, end: 1 };
  const weird: unknown[] = [
    undefined,
    null,
    {},
    { file: 'x', buyers: null, flows: 'no' },
    { file: 'x', span, lead: { kind: 'inline', fields: [null, { name: null }, { name: { name: 'a' }, type: null }] }, buyers: [], flows: [] },
    { file: 'x', span, lead: { kind: 'file', path: 7 }, buyers: [null], flows: [null, {}] },
    {
      file: 'x',
      span,
      lead: { kind: 'inline', fields: [], span },
      buyers: [{ name: { name: 'A' }, clauses: [null, { kind: 'accepts' }, { kind: 'hours', hours: null }, { kind: 'cap', caps: [null, {}] }, { kind: 'overflow' }, { kind: 'price', value: { kind: 'weird' } }] }],
      flows: [
        {
          name: { name: 'f' },
          rules: [
            null,
            { kind: 'when', condition: { kind: 'logical', op: 'and', left: null, right: { kind: 'in', value: null, list: { kind: 'list', items: null } } }, action: null },
            { kind: 'when', condition: { kind: 'call', callee: null, args: null }, action: { kind: 'split', entries: null } },
            { kind: 'always', action: { kind: 'share', max: NaN, entries: [null, { buyer: null }] } },
            { kind: 'otherwise', action: { kind: 'waterfall', tiers: [{ buyer: { name: 'A' }, condition: { kind: 'between' } }] } },
            { kind: 'always', action: { kind: 'flow', flow: null } },
            { kind: 'always', action: { kind: 'route', buyer: null, caps: null, overflow: { name: 'A' } } },
          ],
        },
      ],
    },
    {
      file: 'x',
      span,
      lead: { kind: 'inline', fields: [], span },
      buyers: [
        {
          name: { name: 'A' },
          clauses: [
            { kind: 'prefers', condition: null, weight: NaN },
            { kind: 'relationship', score: null },
            { kind: 'holidays', calendars: [null, { value: 7 }, { value: 'US-' }] },
            { kind: 'closed', action: 'send', target: null },
            { kind: 'closed', action: 'send', target: { name: 'A' } },
            { kind: 'dedupe', fields: [null, {}], window: { kind: 'weird' } },
            { kind: 'requires', fields: null },
            { kind: 'ping', ping: { url: null, fields: [null], template: { path: null } } },
            { kind: 'ping', ping: null },
            { kind: 'bid', mapping: { entries: [null, { key: null }, { key: { name: 'accepted' }, path: null }] } },
            { kind: 'post', post: { url: { value: '::' }, template: { path: { value: '' } }, accepted: { path: null } }, backup: true },
            { kind: 'pixel', pixel: { url: { value: '{{#if}}' }, on: [null, { name: 7 }] } },
            { kind: 'batch', batch: { format: null, to: null, count: -1 } },
            { kind: 'breaker', failures: 'x', cooldown: null },
            { kind: 'delay', delay: { kind: 'within', value: null, duration: null } },
          ],
        },
      ],
      flows: [
        {
          name: { name: 'f' },
          rules: [
            { kind: 'always', action: { kind: 'split', mode: { kind: 'performance', metric: null, min: 50, max: 10 }, entries: [null, {}] } },
            { kind: 'always', action: { kind: 'split', mode: null, entries: [{ buyer: { name: 'A' } }] } },
            { kind: 'always', action: { kind: 'rank', buyers: null, factors: [null, { factor: null }, { factor: { name: 'price' }, weight: 'x' }] } },
            { kind: 'always', action: { kind: 'specialize', tiers: [null, { premium: null }], fallback: { kind: 'flow', name: null } } },
            { kind: 'always', action: { kind: 'fallback', steps: [null, { flow: { name: 'f' }, rewrites: [null, { field: null }, { field: { name: 'x' } }] }] } },
            { kind: 'always', action: { kind: 'hybrid', primary: null, secondaries: null, max: 'x' } },
            { kind: 'always', action: { kind: 'auction', tiers: [null, { buyers: [null, { name: 'A' }], floor: { kind: 'name', name: 'bid.price' } }], rank: { kind: 'within' } } },
          ],
        },
      ],
    },
  ];
  it.each(weird.map((w, i) => [i, w]))('malformed AST #%i', (_i, ast) => {
    expect(() => check(ast as RuleFile)).not.toThrow();
    expect(() => checkStrict(ast as RuleFile)).not.toThrow();
  });
  it('deeply nested expressions', () => {
    const src = `lead { a: int } buyer A {} flow f { when ${'('.repeat(300)}a > 1${')'.repeat(300)} route A }`;
    const { ast } = parse(src, 'deep.route');
    expect(() => checkStrict(ast)).not.toThrow();
  });
});
