import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse, ruleParser, type Expr, type RuleFile } from '../../src/lang/index.js';

/** Strip spans so ASTs can be compared structurally. */
function shape(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'span' || k === 'zoneSpan' || k === 'pathSpan' ? undefined : v)));
}

const codes = (src: string) => parse(src, 't.route').diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}`);

function firstRule(src: string) {
  const { ast, diagnostics } = parse(`flow f {\n${src}\n}`, 't.route');
  expect(diagnostics).toEqual([]);
  return ast.flows[0]!.rules[0]!;
}

function expr(src: string): Expr {
  const rule = firstRule(`when ${src} route A`);
  if (rule.kind !== 'when') throw new Error('not a when rule');
  return rule.condition;
}

describe('the canonical line', () => {
  it('parses exactly as written', () => {
    const rule = firstRule('when random <= 60 route Premium cap 100/h overflow Standard');
    expect(shape(rule)).toEqual({
      kind: 'when',
      condition: {
        kind: 'compare',
        op: '<=',
        left: { kind: 'name', name: 'random' },
        right: { kind: 'number', value: 60 },
      },
      action: {
        kind: 'route',
        buyer: { name: 'Premium' },
        caps: [{ measure: 'leads', limit: 100, unit: 'hour' }],
        overflow: { name: 'Standard' },
      },
    });
  });

  it('keeps source spans on every node', () => {
    const { ast } = parse('flow f {\n  when random <= 60 route Premium cap 100/h overflow Standard\n}', 'x.route');
    const rule = ast.flows[0]!.rules[0]!;
    expect(rule.span).toMatchObject({ file: 'x.route', line: 2, col: 3 });
    if (rule.kind !== 'when' || rule.action.kind !== 'route') throw new Error('shape');
    expect(rule.action.buyer.span).toMatchObject({ line: 2, col: 27, endCol: 34 });
    expect(rule.action.overflow!.span).toMatchObject({ line: 2, col: 54 });
    expect(rule.condition.span).toMatchObject({ line: 2, col: 8, endCol: 20 });
  });
});

describe('expressions', () => {
  it('binds and tighter than or, not tighter than and', () => {
    const e = expr('not a or b and c');
    expect(shape(e)).toMatchObject({
      kind: 'logical',
      op: 'or',
      left: { kind: 'unary', op: 'not', arg: { kind: 'name', name: 'a' } },
      right: { kind: 'logical', op: 'and' },
    });
  });

  it('parses arithmetic left-associatively with * over +', () => {
    expect(shape(expr('a - b - c * 2 > 0'))).toMatchObject({
      kind: 'compare',
      left: {
        kind: 'binary',
        op: '-',
        left: { kind: 'binary', op: '-', left: { name: 'a' }, right: { name: 'b' } },
        right: { kind: 'binary', op: '*' },
      },
    });
  });

  it('gives each node of a mixed chain the span of its own operands', () => {
    // The grammar reads a chain as one flat list; the builder nests it by precedence.
    const outline = (source: string): string[] => {
      const text = `flow f {\nwhen ${source} route A\n}`;
      const rule = parse(text, 't.route').ast.flows[0]!.rules[0]!;
      if (rule.kind !== 'when') throw new Error('not a when rule');
      const out: string[] = [];
      const walk = (e: Expr): void => {
        const op = 'op' in e ? ` ${e.op}` : '';
        out.push(`${e.kind}${op}: ${text.slice(e.span.start, e.span.end)}`);
        for (const child of Object.values(e)) if (child && typeof child === 'object' && 'kind' in child) walk(child as Expr);
      };
      walk(rule.condition);
      return out;
    };
    expect(outline('not a and b or c and not not (d) or e')).toEqual([
      'logical or: not a and b or c and not not (d) or e',
      'logical or: not a and b or c and not not (d)',
      'logical and: not a and b',
      'unary not: not a',
      'name: a',
      'name: b',
      'logical and: c and not not (d)',
      'name: c',
      'unary not: not not (d)',
      'unary not: not (d)',
      'name: d',
      'name: e',
    ]);
    expect(outline('1 + 2 * -3 - 4 / 5 * 6 > x')).toEqual([
      'compare >: 1 + 2 * -3 - 4 / 5 * 6 > x',
      'binary -: 1 + 2 * -3 - 4 / 5 * 6',
      'binary +: 1 + 2 * -3',
      'number: 1',
      'binary *: 2 * -3',
      'number: 2',
      'unary -: -3',
      'number: 3',
      'binary *: 4 / 5 * 6',
      'binary /: 4 / 5',
      'number: 4',
      'number: 5',
      'number: 6',
      'name: x',
    ]);
  });

  it('reads every literal form', () => {
    expect(shape(expr('x in [CA, "TX", 3, $4.50, 500ms, 5m, 7d, 60%, true]'))).toMatchObject({
      kind: 'in',
      negated: false,
      list: {
        items: [
          { kind: 'name', name: 'CA' },
          { kind: 'string', value: 'TX' },
          { kind: 'number', value: 3 },
          { kind: 'money', value: 4.5 },
          { kind: 'duration', ms: 500 },
          { kind: 'duration', ms: 300_000 },
          { kind: 'duration', ms: 7 * 86_400_000 },
          { kind: 'percent', value: 60 },
          { kind: 'bool', value: true },
        ],
      },
    });
  });

  it('parses not in, between, calls and = as ==', () => {
    expect(shape(expr('state not in [CA]'))).toMatchObject({ kind: 'in', negated: true });
    expect(shape(expr('credit_score between 600 and 700 and homeowner'))).toMatchObject({
      kind: 'logical',
      op: 'and',
      left: { kind: 'between', low: { value: 600 }, high: { value: 700 } },
    });
    expect(shape(expr('zip3(zip) = "900"'))).toMatchObject({
      kind: 'compare',
      op: '==',
      left: { kind: 'call', callee: { name: 'zip3' }, args: [{ kind: 'name', name: 'zip' }] },
    });
    expect(shape(expr('-x < -1'))).toMatchObject({ left: { kind: 'unary', op: '-' } });
  });

  it('unescapes strings', () => {
    expect(shape(expr('x == "a \\"quoted\\" word"'))).toMatchObject({ right: { value: 'a "quoted" word' } });
  });
});

describe('declarations', () => {
  const file = `
lead {
  state: state
  credit_score: int 300..850
  temp: number -40..120 optional
  bill: "0-100" | "100-200" | "300+"
  email: email pii
  tags: list string optional
}
buyer Premium {
  accepts state in [CA, TX] and credit_score >= 700
  price $45
  cap 100/h, 1000/day, $5000/day
  hours Mon-Fri 09:00-18:00 "America/New_York"
  hours Sat 10:00-14:00 "America/New_York"
  overflow Standard
}
flow solar {
  split { A 60%, B 30%, C 10% }
  waterfall { A when lead_score >= 80; B when lead_score >= 50; C }
  share max 3 { A, B $18, C }
  flow other
  otherwise reject "out of area"
}
flow other { route C }
`;
  const { ast, diagnostics } = parse(file, 'f.route');

  it('parses a whole file without diagnostics', () => {
    expect(diagnostics).toEqual([]);
    expect(ast.buyers.map((b) => b.name.name)).toEqual(['Premium']);
    expect(ast.flows.map((f) => f.name.name)).toEqual(['solar', 'other']);
  });

  it('reads the lead schema', () => {
    expect(shape((ast as RuleFile).lead)).toEqual({
      kind: 'inline',
      fields: [
        { name: { name: 'state' }, type: { kind: 'state' }, optional: false },
        { name: { name: 'credit_score' }, type: { kind: 'int', min: 300, max: 850 }, optional: false },
        { name: { name: 'temp' }, type: { kind: 'number', min: -40, max: 120 }, optional: true },
        { name: { name: 'bill' }, type: { kind: 'enum', values: ['0-100', '100-200', '300+'] }, optional: false },
        { name: { name: 'email' }, type: { kind: 'email' }, pii: true, optional: false },
        { name: { name: 'tags' }, type: { kind: 'list', of: { kind: 'string' } }, optional: true },
      ],
    });
  });

  it('reads buyer clauses', () => {
    const clauses = shape(ast.buyers[0]!.clauses) as Array<{ kind: string }>;
    expect(clauses.map((c) => c.kind)).toEqual(['accepts', 'price', 'cap', 'hours', 'hours', 'overflow']);
    expect(clauses[2]).toEqual({
      kind: 'cap',
      caps: [
        { measure: 'leads', limit: 100, unit: 'hour' },
        { measure: 'leads', limit: 1000, unit: 'day' },
        { measure: 'dollars', limit: 5000, unit: 'day' },
      ],
    });
    expect(clauses[3]).toEqual({ kind: 'hours', hours: { days: [1, 2, 3, 4, 5], from: 540, to: 1080, zone: 'America/New_York' } });
    expect(clauses[4]).toMatchObject({ hours: { days: [6], from: 600, to: 840 } });
  });

  it('reads every action', () => {
    const actions = ast.flows[0]!.rules.map((r) => shape(r.action));
    expect(actions).toEqual([
      { kind: 'split', mode: { kind: 'random' }, entries: [{ buyer: { name: 'A' }, weight: 60 }, { buyer: { name: 'B' }, weight: 30 }, { buyer: { name: 'C' }, weight: 10 }] },
      {
        kind: 'waterfall',
        tiers: [
          { buyer: { name: 'A' }, condition: { kind: 'compare', op: '>=', left: { kind: 'name', name: 'lead_score' }, right: { kind: 'number', value: 80 } } },
          { buyer: { name: 'B' }, condition: { kind: 'compare', op: '>=', left: { kind: 'name', name: 'lead_score' }, right: { kind: 'number', value: 50 } } },
          { buyer: { name: 'C' } },
        ],
      },
      { kind: 'share', max: 3, entries: [{ buyer: { name: 'A' } }, { buyer: { name: 'B' }, price: { kind: 'money', value: 18 } }, { buyer: { name: 'C' } }] },
      { kind: 'flow', flow: { name: 'other' } },
      { kind: 'reject', reason: 'out of area' },
    ]);
    expect(ast.flows[0]!.rules.map((r) => r.kind)).toEqual(['always', 'always', 'always', 'always', 'otherwise']);
  });

  it('reads `lead from`', () => {
    const r = parse('lead from "schemas/solar.json"\nflow f { route A }', 'g.route');
    expect(r.diagnostics).toEqual([]);
    expect(shape(r.ast.lead)).toEqual({ kind: 'file', path: 'schemas/solar.json' });
  });

  it('wraps day ranges around the weekend', () => {
    const r = parse('buyer A { hours Fri-Mon 00:00-24:00 "UTC" }', 'h.route');
    const c = r.ast.buyers[0]!.clauses[0]!;
    expect(c.kind === 'hours' && c.hours.days).toEqual([1, 5, 6, 7]);
    expect(c.kind === 'hours' && c.hours.to).toBe(1440);
  });
});

describe('errors', () => {
  it('reports every mistake in a file with several, with positions', () => {
    const src = [
      'lead {',
      '  score: strng',
      '}',
      'buyer A {',
      '  accepts score >=',
      '  cap 10/fortnight',
      '  hours Mon-Fry 09:00-25:00 "UTC"',
      '}',
      'flow f {',
      '  when random <= 60 rout A',
      "  otherwise route 'B'",
      '}',
    ].join('\n');
    expect(codes(src)).toEqual(['LR104@2:10', 'LR100@6:3', 'LR104@6:10', 'LR104@7:13', 'LR103@7:23', 'LR100@10:21', 'LR102@11:19', 'LR102@11:21']);
  });

  it('suggests the keyword a typo was meant to be', () => {
    const d = parse('flow f { when random <= 60 rout A }', 't.route').diagnostics[0]!;
    expect(d.suggestion).toBe('did you mean `route`?');
  });

  it('reports an unterminated string and keeps going', () => {
    const r = parse('flow f {\n  reject "oops\n}\nflow g { route A }', 't.route');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LR101']);
    expect(r.ast.flows.map((f) => f.name.name)).toEqual(['f', 'g']);
  });

  it('a missing brace does not swallow the next declaration', () => {
    const r = parse('buyer A { price $20\nbuyer B { price $10 }\nflow f { route A }', 't.route');
    expect(r.diagnostics.map((d) => `${d.code}@${d.span.line}`)).toEqual(['LR100@1']);
    expect(r.ast.buyers.map((b) => b.name.name)).toEqual(['A', 'B']);
    expect(r.ast.flows).toHaveLength(1);
  });

  it('rejects a second lead declaration', () => {
    expect(codes('lead { a: int }\nlead { b: int }\nflow f { route A }')).toEqual(['LR211@2:1']);
  });

  it('requires `max` after `share`', () => {
    expect(codes('flow f { share most 2 { A, B } }')[0]).toBe('LR100@1:16');
  });
});

describe('routing-model and selling syntax', () => {
  const action = (src: string) => shape(firstRule(src).action);

  it('reads fair and performance splits', () => {
    expect(action('split fair { A 60%, B 40% }')).toMatchObject({ kind: 'split', mode: { kind: 'fair' } });
    expect(action('split by performance conversion over 7d min 10% max 50% { A, B }')).toEqual({
      kind: 'split',
      mode: { kind: 'performance', metric: { name: 'conversion' }, window: { kind: 'duration', ms: 604_800_000, text: '7d' }, min: 10, max: 50 },
      entries: [{ buyer: { name: 'A' } }, { buyer: { name: 'B' } }],
    });
  });

  it('reads rank, specialize, fallback and hybrid', () => {
    expect(action('rank { A, B } by price 60%, quality 40% min 0.5 top 2 over 7d')).toMatchObject({
      kind: 'rank',
      factors: [{ factor: { name: 'price' }, weight: 60 }, { factor: { name: 'quality' }, weight: 40 }],
      min: 0.5,
      top: 2,
      window: { ms: 604_800_000 },
    });
    expect(action('specialize { J when x > 1 premium 20%; V premium $5 } else General')).toMatchObject({
      kind: 'specialize',
      tiers: [{ premium: { kind: 'percent', amount: 20 } }, { premium: { kind: 'dollars', amount: 5 } }],
      fallback: { kind: 'buyer', name: { name: 'General' } },
    });
    expect(action('fallback a -> b with s = s - 10, t = "B" -> c')).toMatchObject({
      kind: 'fallback',
      steps: [{ flow: { name: 'a' } }, { flow: { name: 'b' }, rewrites: [{ field: { name: 's' } }, { field: { name: 't' }, value: { value: 'B' } }] }, { flow: { name: 'c' } }],
    });
    expect(action('hybrid P then share max 2 { A, B $18 } after 10m')).toMatchObject({ kind: 'hybrid', max: 2, delay: { ms: 600_000 } });
  });

  it('reads an auction with tiers and options', () => {
    expect(action('auction { A, B } floor $50 then { C } timeout 750ms exclusive min $40 shared max 3 rank by bid.price * 2')).toMatchObject({
      kind: 'auction',
      tiers: [{ buyers: [{ name: 'A' }, { name: 'B' }], floor: { kind: 'money', value: 50 } }, { buyers: [{ name: 'C' }] }],
      timeout: { ms: 750 },
      exclusiveMin: { kind: 'money', value: 40 },
      sharedMax: 3,
      rank: { kind: 'binary', op: '*', left: { kind: 'name', name: 'bid.price' } },
    });
  });

  it('reads the selling and quality clauses of a buyer', () => {
    const src = `buyer S {
      prefers source == "google" weight 10
      relationship 0.8
      holidays "US"
      when closed hold
      dedupe email, phone within 30d
      requires trustedform
      ping "http://127.0.0.1:1/ping" timeout 500ms fields state, zip3
      bid price "bid.amount", accepted "status" == "ok"
      post "http://127.0.0.1:1/post" json "t.hbs" timeout 5s retry 2 backoff 1s accepted "result" == "success"
      backup post "http://127.0.0.1:1/backup"
      pixel "http://127.0.0.1:1/p?id={{lead.id}}" on sold, returned when price > 1
      delay 5m
      batch 100 or 1h csv to "file:out.csv"
      breaker 5 cooldown 30s
    }`;
    const r = parse(src, 'b.route');
    expect(r.diagnostics).toEqual([]);
    const kinds = r.ast.buyers[0]!.clauses.map((c) => c.kind);
    expect(kinds).toEqual(['prefers', 'relationship', 'holidays', 'closed', 'dedupe', 'requires', 'ping', 'bid', 'post', 'post', 'pixel', 'delay', 'batch', 'breaker']);
    expect(shape(r.ast.buyers[0]!.clauses[8])).toMatchObject({
      post: { timeout: { ms: 5000 }, backoff: { ms: 1000 }, retries: 2, template: { format: 'json', path: { value: 't.hbs' } }, accepted: { path: { value: 'result' } } },
      backup: false,
    });
  });

  it('lets soft keywords be field names', () => {
    const r = parse('lead { timeout: int\n weight: int\n price: money }\nflow f { when timeout > 1 and weight < 2 and price > $3 route A }', 's.route');
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.lead?.kind === 'inline' && r.ast.lead.fields.map((f) => f.name.name)).toEqual(['timeout', 'weight', 'price']);
  });

  it('reads `within`', () => {
    expect(shape(expr('consented_at within 5m'))).toEqual({
      kind: 'within',
      value: { kind: 'name', name: 'consented_at' },
      duration: { kind: 'duration', ms: 300_000, text: '5m' },
    });
  });
});

describe('the parser never throws', () => {
  const words = [
    'lead', 'buyer', 'flow', 'when', 'otherwise', 'route', 'split', 'waterfall', 'share', 'max', 'cap', 'overflow',
    'accepts', 'price', 'hours', 'reject', 'and', 'or', 'not', 'in', 'between', 'random', '{', '}', '[', ']', '(',
    ')', ',', ';', ':', '|', '..', '<=', '>=', '==', '=', '<', '>', '+', '-', '*', '/', '60%', '$45', '500ms',
    '09:00', '"x"', '"', '100', 'A', 'state', 'int', 'Mon', 'pii', 'list', '\n', '#c\n', '@', "'",
  ];

  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = parse(s, 'p.route');
        expect(Array.isArray(r.diagnostics)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('on token soups of the language', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 60 }), (ws) => {
        const r = parse(ws.join(' '), 'p.route');
        for (const d of r.diagnostics) {
          expect(d.span.line).toBeGreaterThanOrEqual(1);
          expect(d.span.col).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('soft keywords as declaration names', () => {
  it('a flow named like a soft keyword still starts a new declaration', () => {
    const r = parse('buyer A { price $1 }\nflow shared { route A }\nflow timeout { route A }', 's.route');
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.flows.map((f) => f.name.name)).toEqual(['shared', 'timeout']);
  });
});

describe('cap units are exactly those of grammar/REFERENCE.md', () => {
  it('accepts min, minute, h, hour, day, week and month', () => {
    const r = parse('buyer A { cap 1/min, 2/minute, 3/h, 4/hour, 5/day, 6/week, $7/month }', 'c.route');
    expect(r.diagnostics).toEqual([]);
    const clause = r.ast.buyers[0]!.clauses[0]!;
    expect(clause.kind === 'cap' && clause.caps.map((c) => c.unit)).toEqual(['minute', 'minute', 'hour', 'hour', 'day', 'week', 'month']);
  });

  it('rejects `cap 100/hr` with a did-you-mean', () => {
    const [d, ...rest] = parse('buyer A {\n  cap 100/hr\n}', 'c.route').diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'LR104', message: 'unknown cap period `hr`', suggestion: 'did you mean `h`?', span: { line: 2, col: 11 } });
  });

  it('rejects the other abbreviations the reference does not list', () => {
    for (const unit of ['d', 'w', 'wk', 'mo']) expect(codes(`flow f { route A cap 5/${unit} }`)).toEqual(['LR104@1:24']);
  });
});

describe('expected-token messages come from the grammar', () => {
  it('"expected an action" names every action the grammar has', () => {
    const actionStarts = ruleParser.computeContentAssist('action', []).map((s) => s.nextTokenType.LABEL ?? s.nextTokenType.name);
    expect(actionStarts.length).toBeGreaterThanOrEqual(11);
    const [d, ...rest] = parse('flow f {\n  when x > 1 foo A\n}', 't.route').diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'LR100', span: { line: 2, col: 14 } });
    expect(d!.message).toMatch(/^expected an action \(/);
    for (const start of actionStarts) expect(d!.message).toContain(start);
  });

  it('"expected a declaration" names what can start one', () => {
    const starts = ruleParser.computeContentAssist('declaration', []).map((s) => s.nextTokenType.LABEL);
    expect(starts).toEqual(['`lead`', '`buyer`', '`flow`', '`alert`']);
    expect(parse('}\nflow f { route A }', 't.route').diagnostics.map((d) => d.message)).toEqual([
      `expected a declaration (${starts.join(', ')}) but found \`}\``,
    ]);
  });
});

describe('trivia: comments and blank lines are kept for a formatter', () => {
  it('returns every comment of rules/solar.route with its position', () => {
    const source = readFileSync(new URL('../../rules/solar.route', import.meta.url), 'utf8');
    const lines = source.split('\n');
    // Found independently: a `#` outside a string starts a comment that runs to the end of the line.
    const expected = lines.flatMap((line, i) => {
      const m = /^((?:[^"#]|"[^"]*")*)(#.*)$/.exec(line);
      return m ? [{ text: m[2]!, line: i + 1, col: m[1]!.length + 1 }] : [];
    });
    expect(expected.length).toBeGreaterThan(10);
    const { trivia, diagnostics } = parse(source, 'rules/solar.route');
    expect(diagnostics).toEqual([]);
    expect(trivia.comments.map((c) => ({ text: c.text, line: c.span.line, col: c.span.col }))).toEqual(expected);
    for (const c of trivia.comments) expect(source.slice(c.span.start, c.span.end)).toBe(c.text);
    expect(trivia.blankLines).toEqual(lines.flatMap((l, i) => (l.trim() === '' ? [i + 1] : [])));
  });

  it('a comment changes nothing in the AST', () => {
    const bare = parse('flow f {\n  route A\n}', 't.route');
    const commented = parse('# head\nflow f { # open\n  route A # why\n}\n# tail', 't.route');
    expect(shape(commented.ast)).toEqual(shape(bare.ast));
    expect(commented.trivia.comments.map((c) => c.text)).toEqual(['# head', '# open', '# why', '# tail']);
  });
});
