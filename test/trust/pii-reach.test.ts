// Personal data reaches no place the checker lets through (issue 13 §6): a
// pixel's host is fixed, personal data goes to a pixel only hashed, and a
// value derived from personal data stays personal data through a rewrite.

import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/index.js';

const LEAD = `lead { id: string
  n: int 0..255 optional
  email: email pii optional
  tier: string optional
  contact: string pii optional }`;

const withBuyer = (clause: string) => compile(`${LEAD}\nbuyer B { price $1\n  post "http://127.0.0.1:9/post" accepted "ok" == true\n  ${clause} }\nflow f { route B }\n`);
const found = (r: ReturnType<typeof compile>) => r.diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}`);

describe('pixel URLs', () => {
  it('a host built from lead data is LR700', () => {
    const r = withBuyer('pixel "http://127.0.0.{{lead.n}}/px?id={{lead.id}}" on sold');
    expect(found(r)).toEqual(['LR700@8:9']);
    expect(r.diagnostics[0]!.message).toContain('has no fixed host');
  });

  it('user info or a port from lead data is no fixed host either', () => {
    expect(found(withBuyer('pixel "http://{{lead.tier}}@t.example/px" on sold'))).toEqual(['LR700@8:9']);
    expect(found(withBuyer('pixel "http://t.example:{{lead.n}}/px" on sold'))).toEqual(['LR700@8:9']);
  });

  it('lead data in the path and the query is fine', () => {
    expect(found(withBuyer('pixel "https://t.example/px/{{lead.id}}?n={{lead.n}}" on sold'))).toEqual([]);
  });

  it('personal data in a pixel URL is LR708 at the variable', () => {
    const r = withBuyer('pixel "https://t.example/px?e={{lead.email}}" on sold');
    expect(found(r)).toEqual(['LR708@8:35']);
    expect(r.diagnostics[0]!.suggestion).toBe('send a digest: `{{hash lead.email}}`, or leave it out');
  });

  it('derived personal data is still personal data: `{{lower lead.email}}`', () => {
    expect(found(withBuyer('pixel "https://t.example/px?e={{lower lead.email}}" on sold'))).toEqual(['LR708@8:41']);
  });

  it('hashed, as ad platforms require, it may go', () => {
    expect(found(withBuyer('pixel "https://t.example/px?e={{hash lead.email}}" on sold'))).toEqual([]);
    expect(found(withBuyer('pixel "https://t.example/px?e={{hash (lower lead.email)}}" on sold'))).toEqual([]);
  });
});

describe('fallback rewrites', () => {
  const rules = (rewrite: string) =>
    compile(`${LEAD}\nbuyer B { price $1 }\nflow main { fallback a -> b with ${rewrite} }\nflow a { route B }\nflow b { route B }\n`);

  it('copying personal data into a field that is not PII is LR708', () => {
    const r = rules('tier = email');
    expect(found(r)).toEqual(['LR708@7:41']);
    expect(r.diagnostics[0]!.message).toBe('`tier` is not personal data, so it cannot be set from `email`, which is (a value derived from personal data is personal data)');
  });

  it('into a PII field, or from data that is not personal, it is fine', () => {
    expect(found(rules('contact = email'))).toEqual([]);
    expect(found(rules('tier = "C"'))).toEqual([]);
  });
});
