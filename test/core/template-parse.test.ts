import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { parseTemplateForReading } from '../../src/core/template-parse.js';

describe('parseTemplateForReading', () => {
  it('gives the AST Handlebars gives, one shared object per source text', () => {
    const source = '{"id": {{json lead.id}}, "at": {{json (date now)}} }';
    const first = parseTemplateForReading(source);
    expect(first.ast).toEqual(Handlebars.parse(source));
    expect(parseTemplateForReading(source)).toBe(first);
    expect(parseTemplateForReading(`${source} `).ast).not.toBe(first.ast);
  });

  it('gives what Handlebars throws for a template that does not parse, and never throws', () => {
    const source = '{{#if lead.x}}open';
    let thrown: unknown;
    try {
      Handlebars.parse(source);
    } catch (err) {
      thrown = err;
    }
    const parsed = parseTemplateForReading(source);
    expect(parsed.ast).toBeUndefined();
    expect((parsed.error as Error).message).toBe((thrown as Error).message);
  });

  it('still parses right after more templates than it keeps', () => {
    const sources = Array.from({ length: 300 }, (_, i) => `{{lead.f${i}}}`);
    for (const s of sources) parseTemplateForReading(s);
    for (const s of sources) expect(parseTemplateForReading(s).ast).toEqual(Handlebars.parse(s));
  });
});
