// Which lead fields are personal data (issue 13 §5): `x-pii` is a boolean or an
// error, and e-mail and phone fields are PII unless explicitly marked otherwise.

import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/index.js';
import { parse } from '../../src/lang/index.js';

const SCHEMA = (props: Record<string, unknown>) => JSON.stringify({ properties: { id: { type: 'string' }, ...props } });

function withSchema(props: Record<string, unknown>, rules = 'buyer B { price $1 }\nflow f { route B }\n') {
  return compile(`lead from "lead.json"\n${rules}`, { file: '/r/x.route', readFile: (p) => (p === '/r/lead.json' ? SCHEMA(props) : undefined) });
}

const piiOf = (r: ReturnType<typeof compile>) => Object.fromEntries((r.plan?.lead.fields ?? []).map((f) => [f.name, f.pii]));
const codes = (r: ReturnType<typeof compile>) => r.diagnostics.map((d) => d.code);

describe('"x-pii" in a JSON lead schema', () => {
  it.each([['"true"', 'true'], ['1', 1], ['null', null], ['"yes"', 'yes']])('`"x-pii": %s` is an error naming the property', (_text, value) => {
    const r = withSchema({ email: { type: 'string', format: 'email', 'x-pii': value } });
    expect(codes(r)).toEqual(['LR208']);
    expect(r.diagnostics[0]!.message).toBe(`the lead schema \`lead.json\`: property \`email\` has \`"x-pii": ${JSON.stringify(value)}\`, which is neither true nor false`);
    expect(r.plan).toBeNull();
  });

  it('true and false are taken as written', () => {
    const r = withSchema({ nick: { type: 'string', 'x-pii': true }, email: { type: 'string', format: 'email', 'x-pii': false } });
    expect(codes(r)).toEqual([]);
    expect(piiOf(r)).toEqual({ id: false, nick: true, email: false });
  });

  it('unmarked e-mail and phone properties are PII; other properties are not', () => {
    const r = withSchema({ email: { type: 'string', format: 'email' }, phone: { type: 'string', 'x-leadroute-type': 'phone' }, zip: { type: 'string', 'x-leadroute-type': 'zip' } });
    expect(piiOf(r)).toEqual({ id: false, email: true, phone: true, zip: false });
  });

  it('so an unmarked e-mail in a ping is LR708', () => {
    const r = withSchema({ email: { type: 'string', format: 'email' } }, 'buyer B { price $1\n  ping "http://127.0.0.1:9/p" fields id, email }\nflow f { route B }\n');
    expect(codes(r)).toEqual(['LR708']);
  });
});

describe('inline lead fields', () => {
  const lead = (decl: string) => compile(`lead { id: string\n  ${decl} }\nbuyer B { price $1 }\nflow f { route B }\n`);

  it('`email: email` and `phone: phone` are PII without `pii`', () => {
    expect(piiOf(lead('email: email\n  phone: phone\n  name: string'))).toEqual({ id: false, email: true, phone: true, name: false });
  });

  it('`not pii` marks one explicitly as no personal data', () => {
    expect(piiOf(lead('email: email not pii optional\n  phone: phone optional not pii'))).toEqual({ id: false, email: false, phone: false });
    const ast = parse('lead { email: email not pii }').ast;
    expect(ast.lead).toMatchObject({ fields: [{ pii: false }] });
  });

  it('`pii` still marks any field', () => {
    expect(piiOf(lead('name: string pii'))).toEqual({ id: false, name: true });
  });
});
