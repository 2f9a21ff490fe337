// loadPlan trusts no plan (issue 13 §2): a plan edited by hand, never checked,
// is refused where it would do what the checker refuses, and a lead schema's
// patterns run in linear time whatever they say.

import { describe, expect, it } from 'vitest';
import { PlanError } from '../../src/plan/index.js';
import type { Plan } from '../../src/models/plan.js';
import { loadPlan, Router } from '../../src/runtime/index.js';
import { planOf } from '../helpers/lang.js';

const TEMPLATES: Record<string, string> = { '/r/post.hbs': '{"id": "{{lead.id}}"}' };

/** A compiled plan, then edited by hand. */
function edited(edit: (plan: Plan) => void): Plan {
  const plan = planOf(
    `lead { id: string
  email: email pii optional }
buyer B { price $1
  post "http://127.0.0.1:9/post" json "post.hbs"
  pixel "http://127.0.0.1:9/px?id={{lead.id}}" on sold }
flow f { route B }`,
    { file: '/r/x.route', readFile: (p) => TEMPLATES[p] },
  );
  const copy = structuredClone(plan);
  edit(copy);
  return copy;
}

const problemsOf = (plan: Plan): string[] => {
  try {
    loadPlan(plan);
    return [];
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
};

describe('templates in a hand-written plan', () => {
  it('`{{log lead.email}}` is refused: log is no template helper', () => {
    const plan = edited((p) => (p.buyers[0]!.post!.template!.source = '{"id": "{{lead.id}}"}{{log lead.email}}'));
    expect(problemsOf(plan)).toEqual([
      "/buyers/0/post/template/source: the template calls 'log', which is no template helper (the helpers are url, json, xml, money, date, hash, lower, upper, default, if, unless, each, with, lookup)",
    ]);
  });

  it('a partial is refused', () => {
    const plan = edited((p) => (p.buyers[0]!.post!.template!.source = '{{> secrets}}'));
    expect(problemsOf(plan)).toEqual(['/buyers/0/post/template/source: the template uses a partial; templates have none']);
  });

  it('personal data in a pixel, unhashed, is refused; hashed it loads', () => {
    expect(problemsOf(edited((p) => (p.buyers[0]!.pixels![0]!.url = 'http://127.0.0.1:9/px?e={{lead.email}}')))).toEqual([
      '/buyers/0/pixels/0/url: the pixel template reads personal data: lead.email (a pixel may send it only hashed)',
    ]);
    expect(problemsOf(edited((p) => (p.buyers[0]!.pixels![0]!.url = 'http://127.0.0.1:9/px?e={{hash lead.email}}')))).toEqual([]);
  });

  it('a pixel host from lead data is refused', () => {
    expect(problemsOf(edited((p) => (p.buyers[0]!.pixels![0]!.url = 'http://127.0.0.{{lead.id}}/px')))).toEqual([
      '/buyers/0/pixels/0/url: a pixel URL needs a fixed host: only its path and query may hold {{…}}',
    ]);
  });

  it('a template that does not parse is refused', () => {
    expect(problemsOf(edited((p) => (p.buyers[0]!.post!.template!.source = '{{#if lead.id}}')))[0]).toMatch(/^\/buyers\/0\/post\/template\/source: the template does not parse: /);
  });
});

describe('fallback rewrites in a hand-written plan', () => {
  const chain = (rewrite: string) =>
    planOf(
      `lead { id: string
  email: email pii optional
  tier: string optional
  contact: string pii optional }
buyer B { price $1 }
flow main { fallback a -> b with ${rewrite} }
flow a { route B }
flow b { route B }`,
    );

  it('copying personal data into a field that is not PII is refused, as the checker refuses it (LR708)', () => {
    const plan = chain('tier = "C"');
    const rewrite = (plan.flows[0]!.rules[0]!.action as { steps: { rewrites: { field: string; value: unknown }[] }[] }).steps[1]!.rewrites[0]!;
    rewrite.value = { op: 'call', fn: 'lower', args: [{ op: 'field', name: 'email' }] };
    expect(problemsOf(plan)).toEqual(["/flows/0/rules/0/action/steps/1/rewrites/0/value: 'tier' is not personal data, so it cannot be set from 'email', which is"]);
    rewrite.field = 'contact';
    expect(problemsOf(plan).filter((p) => p.includes('personal data'))).toEqual([]);
  });
});

describe('lead-schema patterns run in linear time', () => {
  const withPattern = (pattern: string) =>
    edited((p) => {
      const props = (p.lead.schema as { properties: Record<string, Record<string, unknown>> }).properties;
      props.id = { ...props.id, pattern };
    });

  it('`^(a+)+$` on a long id answers at once (a backtracking engine takes hours here) and names the field', () => {
    const router = new Router(withPattern('^(a+)+$'));
    const d = router.route({ id: `${'a'.repeat(64)}!` });
    expect(d.status).toBe('rejected');
    expect(d.errors?.map((e) => e.field)).toEqual(['id']);
    expect(router.route({ id: 'aaaa' }).status).not.toBe('rejected');
  });

  it('a pattern a linear-time engine cannot run (a back-reference) is refused with the plan', () => {
    expect(problemsOf(withPattern('^(a)\\1$'))[0]).toMatch(/^\/lead\/schema: not a usable JSON Schema: /);
  });
});
