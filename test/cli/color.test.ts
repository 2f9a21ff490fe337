// Colour: which stream gets it, by the environment and the terminal; and a
// stream that wants none gets the text without the codes.
import { describe, expect, it } from 'vitest';
import { colorWanted, paint, withoutColor } from '../../src/cli/io.js';

describe('colorWanted', () => {
  it('a terminal gets colour, a pipe or file does not', () => {
    expect(colorWanted({}, true)).toBe(true);
    expect(colorWanted({}, false)).toBe(false);
  });
  it('NO_COLOR and TERM=dumb turn it off on a terminal; an empty NO_COLOR does not', () => {
    expect(colorWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ TERM: 'dumb' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '' }, true)).toBe(true);
  });
  it('FORCE_COLOR turns it on even off a terminal, over NO_COLOR; FORCE_COLOR=0 does not', () => {
    expect(colorWanted({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '1', NO_COLOR: '1', TERM: 'dumb' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '0' }, false)).toBe(false);
    expect(colorWanted({ FORCE_COLOR: 'false' }, true)).toBe(true);
  });
});

describe('withoutColor', () => {
  it('takes every colour code out and leaves the text', () => {
    const c = paint(true);
    const text = `${c.red('error')} at ${c.bold(c.dim('1:2'))}`;
    expect(text).toContain('\u001b[');
    expect(withoutColor(text)).toBe('error at 1:2');
  });
});
