import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isTemplateHelper, TEMPLATE_BLOCK_HELPERS, TEMPLATE_HELPER_DEFS, TEMPLATE_HELPER_NAMES } from '../../src/core/template-helpers.js';
import { parseTemplate as checkerParse, templateRefs } from '../../src/check/templates.js';
import { checkTemplate, compileTemplate, templateVariables } from '../../src/deliver/templates.js';
import { run } from '../check/helpers.js';

const pixel = (url: string) => `buyer X { post "http://a/x" pixel "${url}" on delivered } flow f { route X }`;

describe('the template helper registry', () => {
  it('gives every helper a doc, an arity and an implementation', () => {
    for (const name of TEMPLATE_HELPER_NAMES) {
      const def = TEMPLATE_HELPER_DEFS[name];
      expect(def.doc.length, name).toBeGreaterThan(5);
      expect(def.arity.min, name).toBeGreaterThanOrEqual(1);
      expect(def.arity.max, name).toBeGreaterThanOrEqual(def.arity.min);
      expect(typeof def.impl, name).toBe('function');
    }
  });

  it('is the helper list grammar/REFERENCE.md gives, in the text and in LR707', () => {
    const text = readFileSync(new URL('../../grammar/REFERENCE.md', import.meta.url), 'utf8');
    const lists = [...text.matchAll(/(?<!block )helpers:? `([a-z ]+)`/g)].map((m) => m[1]!.split(' '));
    expect(lists.length).toBeGreaterThanOrEqual(2);
    for (const l of lists) expect(l).toEqual([...TEMPLATE_HELPER_NAMES]);
    expect(text).toContain(`and \`${TEMPLATE_BLOCK_HELPERS.join(' ')}\``);
    expect(text).toContain(`block helpers \`${TEMPLATE_BLOCK_HELPERS.join(' ')}\``);
    // The table: one row per helper, in registry order.
    const start = text.indexOf('Template helpers (the complete set');
    const rows = text.slice(start, text.indexOf('\n\n', text.indexOf('|---|', start))).split('\n').filter((l) => l.startsWith('| `'));
    const tabled = rows.flatMap((r) => [...(r.split('|')[1] ?? '').matchAll(/\{\{([a-z]+)/g)].map((m) => m[1]));
    expect(tabled).toEqual([...TEMPLATE_HELPER_NAMES]);
  });

  it('has the checker and the renderer accept the same helpers', () => {
    for (const name of [...TEMPLATE_HELPER_NAMES, 'nosuch']) {
      const args = isTemplateHelper(name) ? TEMPLATE_HELPER_DEFS[name].arity.max : 1;
      const call = `{{${name} ${Array.from({ length: args }, () => 'lead.id').join(' ')}}}`;
      const checker = !run(pixel(`http://t/p?x=${call}`)).diagnostics.some((d) => d.code === 'LR707');
      const renderer = checkTemplate(`http://t/p?x=${call}`, 'url') === null;
      expect({ name, checker }).toEqual({ name, checker: renderer });
      expect(checker).toBe(name !== 'nosuch');
    }
  });

  it('renders each helper from its registry implementation', () => {
    const out = compileTemplate('{{money lead.p}} {{upper lead.s}} {{default lead.none "d"}} {{date lead.t "date"}} {{hash lead.s}}', 'text');
    expect(out.render({ lead: { p: 45, s: ' AbC ', t: 0 } })).toBe(
      '45.00  ABC  d 1970-01-01 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('one template walk', () => {
  it('gives the checker and the renderer the same root variables', () => {
    const src =
      '{{json lead.zip}} {{#each lead.tags as |t|}}{{t}}{{name}}{{@index}}{{@root.lead.id}}{{/each}} {{#if lead.x}}{{ping.id}}{{else}}{{sale.price}}{{/if}} {{url (lower lead.y)}} {{#with lead}}{{z}}{{/with}}';
    const fromChecker = templateRefs(checkerParse(src).ast!)
      .filter((r) => r.kind === 'var' && !(r.data && r.parts[0] !== 'root'))
      .map((r) => (r.data ? r.parts.slice(1) : r.parts).join('.'));
    const fromRenderer = templateVariables(src).map((v) => v.path);
    expect(fromChecker).toEqual(['lead.zip', 'lead.tags', 'lead.id', 'lead.x', 'ping.id', 'sale.price', 'lead.y', 'lead']);
    expect(fromRenderer).toEqual(fromChecker);
  });
});
