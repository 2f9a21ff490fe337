import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDiagramsHtml } from '../../grammar/build-diagrams.js';

describe('grammar/diagrams.html', () => {
  it('matches the live parser (run `npm run diagrams` after a grammar change)', () => {
    const committed = readFileSync(new URL('../../grammar/diagrams.html', import.meta.url), 'utf8');
    expect(committed === buildDiagramsHtml()).toBe(true);
  });

  it('is self-contained: no scripts or styles fetched from the network', () => {
    expect(buildDiagramsHtml()).not.toMatch(/(src|href)='https?:/);
  });
});
