import { describe, expect, it } from 'vitest';
import {
  checkTemplate,
  compileTemplate,
  TemplateError,
  TemplateSet,
  TemplateSetError,
  templateKey,
  templateVariables,
} from '../../src/deliver/index.js';
import { httpBuyer, makePlan, post, template } from '../auction/helpers.js';
import { SELL_LEAD } from '../auction/rules.js';
import { planOf } from '../helpers/lang.js';

const ctx = {
  lead: { id: 'L1', name: 'Ann "A" <b>&\n', age: 42, email: 'Ann@Example.com', tags: ['x', 'y'], optional: null },
  ping: { id: 'p-1' },
  post: { id: 'q-1' },
  sale: { price: 45, buyer: 'B', exclusive: true },
  now: '2026-03-10T14:00:00.000Z',
};

describe('rendering', () => {
  it('JSON: values through the json helper, bare values escaped as string content, output must be valid JSON', () => {
    const t = compileTemplate(
      '{"name": {{json lead.name}}, "quoted": "{{lead.name}}", "age": {{lead.age}}, "tags": {{json lead.tags}}, "price": {{money sale.price}}, "ping": "{{ping.id}}"}',
      'json',
    );
    expect(JSON.parse(t.render(ctx))).toEqual({ name: ctx.lead.name, quoted: ctx.lead.name, age: 42, tags: ['x', 'y'], price: 45, ping: 'p-1' });
    const bad = compileTemplate('{"name": {{lead.name}} }', 'json');
    expect(() => bad.render(ctx)).toThrow(/did not render valid JSON/);
    try {
      bad.render(ctx);
    } catch (e) {
      expect((e as TemplateError).kind).toBe('output');
      expect((e as Error).message).not.toContain('Ann'); // no lead values in messages
    }
  });

  it('XML escapes, also in triple braces; the xml helper is not escaped twice', () => {
    const t = compileTemplate('<l n="{{lead.name}}">{{xml lead.name}}|{{{lead.name}}}</l>', 'xml');
    const esc = 'Ann &quot;A&quot; &lt;b&gt;&amp;\n';
    expect(t.render(ctx)).toBe(`<l n="${esc}">${esc}|${esc}</l>`);
  });

  it('form and pixel URLs: every value URL-encoded, the url helper not twice', () => {
    const form = compileTemplate('n={{lead.name}}&e={{url lead.email}}', 'form').render(ctx);
    const p = new URLSearchParams(form);
    expect(p.get('n')).toBe(ctx.lead.name);
    expect(p.get('e')).toBe('Ann@Example.com');
    const px = compileTemplate('https://t.example/p?n={{lead.name}}&j={{json lead.name}}&r={{{lead.name}}}&h={{hash lead.email}}', 'url').render(ctx);
    const q = new URL(px).searchParams;
    expect(q.get('n')).toBe(ctx.lead.name);
    expect(q.get('r')).toBe(ctx.lead.name);
    expect(q.get('j')).toBe(JSON.stringify(ctx.lead.name));
    // sha256 of the trimmed, lower-cased value
    expect(q.get('h')).toMatch(/^[0-9a-f]{64}$/);
    expect(compileTemplate('{{hash lead.email}}', 'text').render(ctx)).toBe(compileTemplate('{{hash "ann@example.com "}}', 'text').render(ctx));
    expect(() => compileTemplate('not a url {{lead.id}}', 'url').render(ctx)).toThrow(/http\(s\) URL/);
  });

  it('helpers: money, date, lower, upper, default', () => {
    const t = compileTemplate(
      '{{money 3}}|{{money sale.price}}|{{date now}}|{{date now "date"}}|{{date now "unix"}}|{{lower lead.email}}|{{upper lead.id}}|{{default lead.optional "n/a"}}|{{default lead.missing "none"}}',
      'text',
    );
    expect(t.render(ctx)).toBe('3.00|45.00|2026-03-10T14:00:00.000Z|2026-03-10|1773151200|ann@example.com|L1|n/a|none');
  });

  it('strict: a missing variable is an error naming it; conditionals stay lenient', () => {
    const t = compileTemplate('a\n  {{lead.nope}}', 'text', 'post.hbs');
    try {
      t.render(ctx);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      const err = e as TemplateError;
      expect(err.kind).toBe('render');
      expect(err.message).toMatch(/post\.hbs:2:5: `nope` is not defined/);
    }
    expect(() => compileTemplate('{{lower lead.nope}}', 'text').render(ctx)).toThrow(/`nope` is not defined/);
    expect(compileTemplate('{{#if lead.nope}}yes{{else}}no{{/if}}', 'text').render(ctx)).toBe('no');
    expect(compileTemplate('{{#each lead.tags}}[{{this}}]{{/each}}', 'text').render(ctx)).toBe('[x][y]');
  });

  it('no prototype access', () => {
    const t = compileTemplate('{{lead.constructor}}|{{lead.__proto__}}|{{lookup lead "constructor"}}', 'text');
    expect(t.render(ctx)).toBe('||');
  });

  it('only the documented helpers; no partials', () => {
    const e = checkTemplate('x\n{{evil lead.id}}', 'text', 't.hbs')!;
    expect(e.kind).toBe('compile');
    expect(e.message).toMatch(/t\.hbs:2:1: unknown helper `evil`/);
    expect(checkTemplate('{{> header}}')!.message).toMatch(/partials are not supported/);
    expect(checkTemplate('{{url lead.id}} {{json lead}}', 'json')).toBeNull();
  });
});

describe('syntax errors and variables', () => {
  it('a Handlebars parse error has a line and column', () => {
    const e = checkTemplate('{\n  "a": {{json lead.a}\n}', 'json', 'x.hbs')!;
    expect(e).toBeInstanceOf(TemplateError);
    expect(e.kind).toBe('parse');
    expect(e.line).toBe(2);
    expect(e.col).toBeGreaterThan(1);
    expect(e.message).toMatch(/^x\.hbs:2:\d+: template syntax error/);
    const m = checkTemplate('{{#if lead.a}}\n{{/each}}', 'text')!;
    expect(m.kind).toBe('parse');
    expect(m.message).toMatch(/if doesn't match each/);
  });

  it('templateVariables lists root paths with positions, not helpers, block-local or data names', () => {
    const src = '{"zip": {{json lead.zip}},\n "p": {{money sale.price}}, {{#each lead.tags}}{{this}}{{name}}{{@index}}{{@root.lead.id}}{{/each}}\n{{#if lead.x}}{{ping.id}}{{/if}} {{default lead.y "d"}} {{lower}} {{now}} }';
    expect(templateVariables(src)).toEqual([
      { path: 'lead.zip', line: 1, col: 16 },
      { path: 'sale.price', line: 2, col: 15 },
      { path: 'lead.tags', line: 2, col: 37 },
      { path: 'lead.id', line: 2, col: 76 }, // the `@root.lead.id` path
      { path: 'lead.x', line: 3, col: 7 },
      { path: 'ping.id', line: 3, col: 17 },
      { path: 'lead.y', line: 3, col: 44 },
      { path: 'now', line: 3, col: 69 },
    ]);
    expect(() => templateVariables('{{oops')).toThrow(TemplateError);
  });
});

describe('TemplateSet', () => {
  it('compiles every template of a plan once, keyed by buyer and use', () => {
    const files: Record<string, string> = {
      '/ping.json.hbs': '{"state": {{json lead.state}} }',
      '/post.json.hbs': '{"id": {{json lead.id}} }', // `}}}` would close a triple-stash
    };
    const plan = planOf(
      `${SELL_LEAD}
buyer A {
  ping "http://127.0.0.1:1/ping" json "ping.json.hbs"
  post "http://127.0.0.1:1/post" json "post.json.hbs"
  pixel "http://127.0.0.1:1/p?x={{lead.id}}" on sold
}
buyer B { post "http://127.0.0.1:1/post" json "post.json.hbs" }
flow main { route A }
`,
      { baseDir: '/', readFile: (path) => files[path] },
    );
    const set = TemplateSet.forPlan(plan);
    expect(TemplateSet.forPlan(plan)).toBe(set);
    expect(set.keys().sort()).toEqual(['A:ping', 'A:pixel:0', 'A:post', 'B:post']);
    expect(set.get(templateKey.post('A'))).toBe(set.get(templateKey.post('B')));
    expect(set.get('A:ping')!.render({ lead: { state: 'CA' } })).toBe('{"state": "CA" }');
  });

  // Hand-built: the compiler refuses broken templates; TemplateSet's own report is tested here.
  it('lists every broken template', () => {
    const plan = makePlan(
      [
        httpBuyer('A', { post: post('http://127.0.0.1:1/post', { template: template('json', '{{json lead.id}') }) }),
        httpBuyer('B', { pixels: [{ url: 'http://127.0.0.1:1/p?{{nope lead.id}}', on: ['sold'], when: null }] }),
      ],
      { kind: 'route', buyer: 'A', caps: [], overflow: null },
    );
    try {
      new TemplateSet(plan);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateSetError);
      expect((e as TemplateSetError).errors.map((x) => x.kind)).toEqual(['parse', 'compile']);
    }
  });
});
