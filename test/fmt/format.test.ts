// The layout rules of grammar/REFERENCE.md ("Layout"), one tricky case each.

import { describe, expect, it } from 'vitest';
import { format } from '../../src/index.js';

/** The formatted text; fails the test when the source cannot be formatted. */
function fmt(source: string): string {
  const result = format(source, 't.route');
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return result.text;
}

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

describe('format: spacing', () => {
  it('puts one space between tokens, none inside () and [], before , ; : or around . and ..', () => {
    expect(fmt('lead{id :string\n score:int 300 .. 850}')).toBe(lines('lead { id: string', '  score: int 300..850 }'));
    expect(fmt('buyer A{accepts(state in[CA ,TX])and  bid.price>1}')).toBe('buyer A { accepts (state in [CA, TX]) and bid.price > 1 }\n');
    expect(fmt('flow f{waterfall{A;B}}')).toBe('flow f { waterfall { A; B } }\n');
  });

  it('writes a call with its parenthesis against the name, a parenthesised value apart', () => {
    expect(fmt('buyer A { accepts not exists ( email ) and not(x) and hour("UTC")>=9 }')).toBe(
      'buyer A { accepts not exists(email) and not (x) and hour("UTC") >= 9 }\n',
    );
  });

  it('spaces arithmetic between operands, keeps signs, caps, day and hour ranges tight', () => {
    expect(fmt('buyer A { price $20+(score-600)/10*-2 }')).toBe('buyer A { price $20 + (score - 600) / 10 * -2 }\n');
    expect(fmt('buyer A { price - - $5 }')).toBe('buyer A { price - -$5 }\n');
    expect(fmt('buyer A { price 1 - -$5 }')).toBe('buyer A { price 1 - -$5 }\n');
    expect(fmt('buyer A { cap 100 / day , $500/ week }')).toBe('buyer A { cap 100/day, $500/week }\n');
    expect(fmt('buyer A { hours Mon - Fri , Sat 09:00 - 17:30 "UTC" }')).toBe('buyer A { hours Mon-Fri, Sat 09:00-17:30 "UTC" }\n');
    expect(fmt('lead { ratio: number - 5..-2 }')).toBe('lead { ratio: number -5..-2 }\n');
  });

  it('keeps money, durations, percentages and strings with escapes as written', () => {
    expect(fmt('buyer A { price $4.50 dedupe email within 30d }')).toBe('buyer A { price $4.50 dedupe email within 30d }\n');
    expect(fmt('flow f { split { A 60.5%,B 39.5% } }')).toBe('flow f { split { A 60.5%, B 39.5% } }\n');
    const escaped = 'flow f { reject "say \\"no\\" \\\\ twice  #not a comment" }\n';
    expect(fmt(escaped)).toBe(escaped);
  });

  it('writes `{}` for an empty block and spaces the braces of one with contents', () => {
    expect(fmt('buyer Free { }')).toBe('buyer Free {}\n');
    expect(fmt('buyer A {price $5}')).toBe('buyer A { price $5 }\n');
  });
});

describe('format: lines and indentation', () => {
  it('keeps the line breaks, indents two spaces a brace, and starts every declaration at the margin', () => {
    expect(fmt('   lead {\nid: string\n      }\n    buyer A {\n price $5 }')).toBe(lines('lead {', '  id: string', '}', 'buyer A {', '  price $5 }'));
  });

  it('indents a line that continues a clause or a rule one level more', () => {
    const source = lines(
      'flow f {',
      'auction { A, B } floor $50',
      'then { C } floor $30',
      '        timeout 750ms',
      'when x fallback g',
      '-> h with a = 1',
      '}',
    );
    expect(fmt(source)).toBe(
      lines('flow f {', '  auction { A, B } floor $50', '    then { C } floor $30', '    timeout 750ms', '  when x fallback g', '    -> h with a = 1', '}'),
    );
    expect(fmt('buyer A {\nping "u" timeout 1s\nfields a,\nb\nprice $1\n}')).toBe(
      lines('buyer A {', '  ping "u" timeout 1s', '    fields a,', '    b', '  price $1', '}'),
    );
  });

  it('indents nested blocks and lists by their brackets, and a list\'s entries as items', () => {
    const source = lines('flow f {', 'waterfall {', 'A;', 'B when x in [', 'CA,', 'TX', ']', '}', 'split {', 'A 50%,', 'B 50%', '}', '}');
    expect(fmt(source)).toBe(
      lines('flow f {', '  waterfall {', '    A;', '    B when x in [', '      CA,', '      TX', '    ]', '  }', '  split {', '    A 50%,', '    B 50%', '  }', '}'),
    );
  });

  it('collapses blank lines to one, none at the ends of the file or just inside brackets', () => {
    const source = '\n\n\nlead {\n\n  id: string\n\n\n\n  x: int\n\n}\n\n\n\nbuyer A { price $5 }\n\n\n';
    expect(fmt(source)).toBe(lines('lead {', '  id: string', '', '  x: int', '}', '', 'buyer A { price $5 }'));
  });

  it('reads CRLF and tabs and writes LF and spaces', () => {
    expect(fmt('lead {\r\n\tid:\tstring\r\n}\r\n')).toBe(lines('lead {', '  id: string', '}'));
  });

  it('ends a non-empty file with one newline, and leaves an empty one empty', () => {
    expect(fmt('buyer A { price $5 }')).toBe('buyer A { price $5 }\n');
    expect(fmt('')).toBe('');
    expect(fmt('\n \n')).toBe('');
  });
});

describe('format: comments', () => {
  it('keeps a comment after code one space after it, its trailing spaces dropped', () => {
    expect(fmt('buyer A {\n  price $5          # the floor   \n}')).toBe(lines('buyer A {', '  price $5 # the floor', '}'));
    expect(fmt('buyer A { # note\n price $5 }')).toBe(lines('buyer A { # note', '  price $5 }'));
  });

  it('indents a comment on its own line as the code line after it', () => {
    const source = lines('# file', 'flow f {', '# before a rule', 'auction { A } floor $5', '# inside the rule', 'then { B }', '      # at the end of the block', '}', '   # at the end of the file');
    expect(fmt(source)).toBe(
      lines('# file', 'flow f {', '  # before a rule', '  auction { A } floor $5', '    # inside the rule', '    then { B }', '  # at the end of the block', '}', '# at the end of the file'),
    );
  });

  it('keeps the blank lines around comments, and a comment-only file', () => {
    expect(fmt('# one\n\n\n# two\n')).toBe(lines('# one', '', '# two'));
    expect(fmt('buyer A {\n  # c\n\n  price $5\n}')).toBe(lines('buyer A {', '  # c', '', '  price $5', '}'));
  });

  it('keeps a `#` inside a string as part of it', () => {
    expect(fmt('buyer A { pixel "http://x/#frag" on sold }  # real')).toBe('buyer A { pixel "http://x/#frag" on sold } # real\n');
  });
});

describe('format: what it refuses', () => {
  it('does not format a file with syntax errors: it returns the diagnostics, with positions and codes', () => {
    const result = format('buyer A {\n  price $5 +\n}\n', 'bad.route');
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.col} ${d.code}`)).toEqual(['bad.route:3:1 LR100']);
  });

  it('refuses an unterminated string and an unexpected character', () => {
    expect(format('flow f { reject "no }').diagnostics.map((d) => d.code)).toContain('LR101');
    expect(format('flow f { route A @ }').diagnostics.map((d) => d.code)).toContain('LR102');
  });

  it('formats a file that only has warnings or checker errors: fmt reads syntax, not meaning', () => {
    // `Nobody` is not declared: a checker error, not a syntax error.
    expect(fmt('flow f {route Nobody}')).toBe('flow f { route Nobody }\n');
  });
});
