// Handlebars templates: files read through the `readFile` option (like `lead
// from`), parsed by Handlebars, every variable and helper checked, and no pii
// field read by a ping template.

import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate, templateRefs } from '../../src/check/templates.js';
import { at, codes, only, run } from './helpers.js';

const FILES: Record<string, string> = {
  'ping.hbs': '{"state": {{json lead.state}}, "zip3": {{json lead.zip3}}, "all": {{json lead}} }',
  'ping-pii.hbs': '{"state": {{json lead.state}},\n "email": {{json lead.email}} }',
  'post.hbs': '{"id": {{json lead.id}}, "email": {{json lead.email}}, "price": {{money sale.price}}, "ping": {{json ping.id}}, "at": {{json (date now)}} }',
  'syntax.hbs': '{\n  "a": {{json lead.state}\n}',
  'names.hbs': '{{json lead.emial}}\n{{json sale.prise}} {{credit_score}} {{json post.id}}',
  'helpers.hbs': '{{fmt lead.id}} {{jsn lead.id}} {{> part}}',
  'blocks.hbs': '{{#if lead.homeowner}}yes{{else}}no{{/if}} {{#each lead.tags as |t|}}{{t}} {{@index}} {{this}} {{@root.lead.id}}{{/each}}',
};
const options = { readFile: (p: string) => FILES[path.basename(p)], baseDir: '/rules' };
const ping = (tpl: string) => `buyer X { ping "http://a/p" json "${tpl}" bid price "p" } flow f { auction { X } }`;
const post = (tpl: string) => `buyer X { post "http://a/x" json "${tpl}" accepted "ok" == true ping "http://a/p" } flow f { route X }`;

describe('template files', () => {
  it('a missing file (LR704), at the path', () => {
    const d = only(post('nope.hbs'), options);
    expect(d).toMatchObject({ code: 'LR704', span: { col: 34, endCol: 44 } });
    expect(d.message).toBe('cannot read the template `nope.hbs`');
  });
  it('a syntax error (LR705), at the path, naming the line:col in the template', () => {
    const d = only(post('syntax.hbs'), options);
    expect(d).toMatchObject({ code: 'LR705', span: { col: 34, endCol: 46 } });
    expect(d.message).toBe('the template `syntax.hbs` has a syntax error at 2:25: unexpected `}` (expected `}}` or `}}}`)');
  });
  it('clean templates: lead fields, sale, ping, now and helpers', () => {
    expect(codes(post('post.hbs'), options)).toEqual([]);
    expect(codes(ping('ping.hbs'), options)).toEqual([]);
    expect(codes(post('blocks.hbs'), options)).toEqual([]);
  });
  it('unknown variables (LR706) with suggestions and template positions', () => {
    const r = run(post('names.hbs'), options);
    expect(r.diagnostics.map((d) => [at(d), d.message, d.suggestion])).toEqual([
      ['LR706@1:34', 'the template `names.hbs` reads `lead.emial` (at 1:8), but the lead has no field `emial`', undefined],
      [
        'LR706@1:34',
        'the template `names.hbs` reads `sale.prise` (at 2:8), which is not set: `sale` has `sale.price`, `sale.buyer` and `sale.exclusive`',
        'did you mean `sale.price`?',
      ],
      ['LR706@1:34', 'the template `names.hbs` reads `credit_score` (at 2:23), which is not set here', 'lead fields are read through `lead`: `lead.credit_score`'],
      ['LR706@1:34', 'the template `names.hbs` reads `post.id` (at 2:45), but a post\'s own reply is not known while it is being written', undefined],
    ]);
  });
  it('`ping.id` in a post needs a ping; a ping template cannot read the sale (LR706)', () => {
    const d = only('buyer X { post "http://a/x" json "post.hbs" accepted "ok" == true } flow f { route X }', { ...options, readFile: () => '{{json ping.id}}' });
    expect(d.message).toBe('the template `post.hbs` reads `ping.id` (at 1:8), but this buyer has no `ping`');
    const e = only(ping('ping.hbs'), { ...options, readFile: () => '{{money sale.price}}' });
    expect(e.message).toBe('the template `ping.hbs` reads `sale.price` (at 1:9), but a ping is sent before any sale');
  });
  it('unknown helpers, partials (LR707)', () => {
    const r = run(post('helpers.hbs'), options);
    expect(r.diagnostics.map((d) => [d.code, d.suggestion])).toEqual([
      ['LR707', expect.stringContaining('the helpers are `url`, `json`')],
      ['LR707', 'did you mean `json`?'],
      ['LR707', 'write the text out in this template'],
    ]);
  });
});

describe('ping templates carry no personal data (LR708)', () => {
  it('a pii field read by a ping template, at the path, naming the template line:col', () => {
    const d = only(ping('ping-pii.hbs'), options);
    expect(d).toMatchObject({ code: 'LR708', span: { col: 34, endCol: 48 } });
    expect(d.message).toBe('the template `ping-pii.hbs` sends `lead.email` (at 2:18), which is personal data (`email` is marked `pii`)');
    expect(d.suggestion).toBe('pings carry no personal data; send it in the post');
  });
  it('the same field in a post template is fine', () => {
    expect(codes(post('ping-pii.hbs'), options)).toEqual([]);
  });
});

describe('pixel URLs are inline templates', () => {
  it('positions inside the string', () => {
    const d = only('buyer X { pixel "http://t/p?e={{lead.emial}}" on sold } flow f { route X }');
    expect(d).toMatchObject({ code: 'LR706', span: { col: 33, endCol: 43 } });
    expect(d.message).toBe('the pixel URL reads `lead.emial`, but the lead has no field `emial`');
  });
  it('unknown helpers and syntax errors', () => {
    expect(codes('buyer X { pixel "http://t/p?e={{bogus lead.id}}" on sold } flow f { route X }')).toEqual(['LR707@1:33']);
    const d = only('buyer X { pixel "http://t/p?x={{lead.id}}}" on sold } flow f { route X }');
    expect(d.code).toBe('LR705');
    expect(d.suggestion).toBe('`}}}` closes a `{{{…}}}`; to follow `}}` with a `}`, put a space between them');
  });
  it('may read the post id when the buyer posts', () => {
    expect(codes('buyer X { post "http://a/x" accepted "ok" == true pixel "http://t/p?id={{post.id}}&h={{hash lead.email}}" on delivered } flow f { route X }')).toEqual([]);
    expect(codes('buyer X { pixel "http://t/p?id={{post.id}}" on sold } flow f { route X }')).toEqual(['LR706@1:34']);
  });
});

describe('parseTemplate and templateRefs', () => {
  it('never throw', () => {
    for (const src of ['{{', '{{#if}}', '{{/x}}', '{{#a}}{{/b}}', '{{{x}}', '}}{{', '\u0000{{x', '{{> }}', '{{!--']) {
      expect(() => parseTemplate(src)).not.toThrow();
      const p = parseTemplate(src);
      if (p.ast) expect(() => templateRefs(p.ast!)).not.toThrow();
      else expect(p.error!.line).toBeGreaterThan(0);
    }
  });
  it('skips paths inside each/with except @root, and block params', () => {
    const p = parseTemplate('{{#with lead}}{{state}} {{@root.lead.id}}{{/with}} {{lookup lead "x"}}');
    expect(templateRefs(p.ast!).map((r) => `${r.kind}:${r.text}`)).toEqual(['helper:with', 'var:lead', 'var:@root.lead.id', 'helper:lookup', 'var:lead']);
  });
});
