// `leadroute test`: reading and checking test files, running cases, the
// failure report, distributions, coverage and --min, and the real rules/ folder.
import { describe, expect, it } from 'vitest';
import { readTestFile, TestFileError } from '../../src/ruletest/index.js';
import { runCli, scratchDir, writeScratch } from '../cli/helpers.js';

const RULES = `lead {
  id: string
  state: state
  credit_score: int 300..850
  homeowner: bool
}

buyer Premium {
  accepts credit_score >= 700
  price $45
  cap 10/h
  overflow Standard
}

buyer Standard {
  price $20
}

buyer Backup {
  price $5
}

flow main {
  when homeowner route Premium
  otherwise route Standard
}
`;

const DEFAULTS = `defaults:
  at: 2026-11-24T10:00
  zone: America/New_York
  lead: { id: L1, state: CA, credit_score: 720, homeowner: true }
`;

/** A scratch folder holding main.route and main.test.yaml with `tests`. */
function project(tests: string, rules = RULES): string {
  const dir = scratchDir();
  writeScratch(dir, 'main.route', rules);
  writeScratch(dir, 'main.test.yaml', tests);
  return dir;
}

function problemsOf(text: string): string[] {
  try {
    readTestFile(text, 't.test.yaml');
  } catch (err) {
    if (err instanceof TestFileError) return err.problems;
    throw err;
  }
  return [];
}

describe('reading a test file', () => {
  it('reads YAML and JSON into the same data', () => {
    const yaml = readTestFile('cases:\n  - name: a\n    expect: { buyers: none }\n', 'a.test.yaml');
    const json = readTestFile('{"cases": [{"name": "a", "expect": {"buyers": "none"}}]}', 'a.test.json');
    expect(yaml.json).toEqual(json.json);
    expect(yaml.where(['cases', 0, 'expect'])).toBe('a.test.yaml:3:13');
  });

  it('names the file, line, column and path of a bad key, with a did-you-mean', () => {
    expect(problemsOf('cases:\n  - name: a\n    expected: { buyers: none }\n')).toEqual([
      't.test.yaml:2:5: cases[0]: missing `expect`',
      't.test.yaml:3:5: cases[0].expected: unknown key `expected` (did you mean `expect`?)',
    ]);
  });

  it('says what a key of several shapes takes', () => {
    expect(problemsOf('cases:\n  - name: a\n    caps: { Premium: lots }\n    expect: { buyers: [A] }\n')).toEqual([
      't.test.yaml:3:22: cases[0].caps.Premium: must be `full`, a count (every counter of the buyer at it), or counts per cap (`100/h: 100`)',
    ]);
  });

  it('runs no tag: a custom tag is an error, not a call', () => {
    const problems = problemsOf('cases:\n  - name: !!js/function "function () { throw new Error(1) }"\n    expect: { buyers: none }\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^t\.test\.yaml:2:11: Unresolved tag/);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    expect(problemsOf(bomb)[0]).toMatch(/^t\.test\.yaml: .*alias/i);
  });

  it('says an empty file, or one with nothing to run, is empty', () => {
    expect(problemsOf('')).toEqual(['t.test.yaml:1:1: the test file is empty: give it `cases` or `distributions`']);
    expect(problemsOf('defaults: {}\n')).toEqual(['t.test.yaml:1:1: the test file has no `cases` and no `distributions`']);
  });
});

describe('leadroute test', () => {
  it('passes a case whose expectations hold (exit 0)', async () => {
    const dir = project(`${DEFAULTS}cases:
  - name: a good homeowner goes to Premium
    expect: { status: routed, buyers: [Premium], price: 45, rule: "main#0" }
`);
    const r = await runCli(['test', 'main.test.yaml'], dir);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe('main.test.yaml (main.route)\n  ✓ a good homeowner goes to Premium\n\n1 case, 0 distributions: 1 passed, 0 failed\n');
  });

  it('prints a failed case with its position, expected and actual per field, and the trace (exit 1)', async () => {
    const dir = project(`${DEFAULTS}cases:
  - name: ok
    expect: { buyers: [Premium] }
  - name: credit 650 goes to Premium (wrong on purpose)
    lead: { credit_score: 650 }
    expect: { buyers: [Premium], price: 45, skipped: { Premium: CapExceeded } }
`);
    const r = await runCli(['test', 'main.test.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      [
        '  ✗ credit 650 goes to Premium (wrong on purpose)  main.test.yaml:8:5',
        '      buyers           expected  Premium',
        '                       actual    Standard',
        '      price            expected  $45.00',
        '                       actual    $20.00',
        '      skipped Premium  expected  CapExceeded',
        '                       actual    FilterFailed: Premium skipped: accepts `credit_score >= 700` is false (credit_score = 650)',
        '      decision: routed, Standard $20.00, random 83, at 2026-11-24T15:00:00.000Z',
        "        RuleMatched  rule 'when homeowner route Premium' matched (homeowner = true)",
        '        FilterFailed Premium skipped: accepts `credit_score >= 700` is false (credit_score = 650)',
        "        RuleUnplaced rule 'when homeowner route Premium' could not place the lead; trying the next rule",
        "        RuleMatched  rule 'otherwise route Standard' matched",
        '        Taken        Standard takes the lead at $20.00',
      ].join('\n'),
    );
    expect(r.out).toContain('2 cases, 0 distributions: 1 passed, 1 failed');
  });

  it('sets caps as :cap does: full, a count, or per cap; and picks the seed for `random`', async () => {
    const dir = project(`${DEFAULTS}cases:
  - name: full overflows
    caps: { Premium: full }
    expect: { buyers: [Standard], skipped: { Premium: CapExceeded }, trace: [Overflow] }
  - name: nine of ten used still has room
    caps: { Premium: 9 }
    expect: { buyers: [Premium] }
  - name: a cap set per cap replaces the file's
    caps: { Premium: { "3/h": 3 } }
    expect: { buyers: [Standard], skipped: { Premium: "3/hour" } }
  - name: leads routed before count against the cap
    caps: { Premium: { "2/h": 0 } }
    before: [{ id: B1 }, { id: B2 }]
    expect: { buyers: [Standard] }
`);
    const r = await runCli(['test', 'main.test.yaml'], dir);
    expect(r.out).toContain('4 cases, 0 distributions: 4 passed, 0 failed');
    expect(r.code).toBe(0);
  });

  it('routes with a seed under which the lead draws the `random` a case gives', async () => {
    const byRandom = RULES.replace('when homeowner route Premium', 'when random <= 50 route Premium');
    const cases = (a: number, b: number) => `${DEFAULTS}cases:
  - { name: low, random: ${a}, expect: { buyers: [Premium], trace: ["random = ${a}"] } }
  - { name: high, random: ${b}, expect: { buyers: [Standard], reason: nothing } }
`;
    const right = await runCli(['test', 'main.test.yaml'], project(cases(50, 51), byRandom));
    expect(right.out).toContain('✓ low\n  ✗ high');
    expect(right.out).toMatch(/reason +expected +containing "nothing"\n +actual +\(none\)\n +decision: routed, Standard \$20\.00, random 51,/);
    const both = await runCli(['test', 'main.test.yaml'], project(cases(50, 51).replace('random: 50', 'random: 50, seed: 3'), byRandom));
    expect(both.code).toBe(2);
    expect(both.err).toContain('main.test.yaml:6:26: cases[0].random: give `random` or `seed`, not both');
  });

  it('checks a distribution against its tolerance', async () => {
    const split = RULES.replace(/flow main \{[^}]*\}/, 'flow main {\n  split { Premium 50%, Standard 50% }\n}').replace('accepts credit_score >= 700\n  ', '').replace('cap 10/h\n  ', '');
    const dist = (shares: string, tolerance: number) => `distributions:
  - name: even
    generate: { count: 1000, seed: 3 }
    expect: { shares: { ${shares} }, tolerance: ${tolerance} }
`;
    const within = await runCli(['test', 'main.test.yaml'], project(dist('Premium: 50, Standard: 50, unsold: 0', 4), split));
    expect(within.code).toBe(0);
    expect(within.out).toMatch(/✓ distribution even: 1000 leads, Premium \d+\.\d%, Standard \d+\.\d%, unsold 0\.0% \(±4\)/);
    const outside = await runCli(['test', 'main.test.yaml'], project(dist('Premium: 70, Standard: 30', 4), split));
    expect(outside.code).toBe(1);
    expect(outside.out).toMatch(/share Premium +expected +70% ±4\n +actual +\d+\.\d%/);
  });

  it('lists with --coverage what no test exercised, and fails under --min (exit 1)', async () => {
    const dir = project(`${DEFAULTS}cases:
  - name: Premium
    expect: { buyers: [Premium] }
`);
    const r = await runCli(['test', '--coverage', '--min', '90', 'main.test.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('coverage: 27.2% (3 of 11 branches, 1 rule file), under the minimum of 90%');
    expect(r.out).toContain('main.route: 8 of 11 not exercised');
    expect(r.out).toContain('main.route:25  `otherwise route Standard`: matched');
    expect(r.out).toContain('main.route:24  `when homeowner route Premium`: condition false');
    expect(r.out).toContain('main.route:8  buyer Premium: overflows to Standard');
    expect(r.out).toContain('main.route:19  buyer Backup: sold a lead');
    expect(r.out).toContain('main.route:8  buyer Premium: refused by its `cap` (CapExceeded)');
    expect((await runCli(['test', '--coverage', '--min', '27', 'main.test.yaml'], dir)).code).toBe(0);
  });

  it('leaves out an ignored branch, and refuses an ignore that matches none (exit 2)', async () => {
    const tests = `${DEFAULTS}cases:
  - { name: a, expect: { buyers: [Premium] } }
coverage:
  ignore:
    - { branch: "buyer Backup: sold a lead", reason: "kept for later" }
`;
    const r = await runCli(['test', '--coverage', 'main.test.yaml'], project(tests));
    expect(r.out).toContain('coverage: 30.0% (3 of 10 branches, 1 rule file, 1 ignored)');
    expect(r.out).toContain('main.route:19  buyer Backup: sold a lead: kept for later');
    const bad = await runCli(['test', 'main.test.yaml'], project(tests.replace('Backup: sold', 'Backup: bought')));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('main.test.yaml:9:17: coverage.ignore[0].branch: no branch of main.route reads `buyer Backup: bought a lead`');
  });

  it('reports a bad test file with its position and runs nothing (exit 2)', async () => {
    const dir = project(`${DEFAULTS}cases:
  - name: typo
    expect: { buyers: [Premiun] }
`);
    const r = await runCli(['test', 'main.test.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'main.test.yaml (main.route)\n  error main.test.yaml:7:24: cases[0].expect.buyers[0]: no buyer `Premiun` in main.route (did you mean `Premium`?)\n',
    );
    expect(r.out).toContain('1 file not run (errors above)');
    const syntax = await runCli(['test', 'main.test.yaml'], project('cases: [\n'));
    expect(syntax.code).toBe(2);
    expect(syntax.err).toMatch(/error main\.test\.yaml:2:1: /);
    expect(syntax.err).not.toMatch(/ at .*\.ts:\d+/);
  });

  it('exits 2 on a rule file with errors, showing its diagnostics', async () => {
    const dir = project(`cases:\n  - { name: a, expect: { buyers: none } }\n`, RULES.replace('price $20', 'price $20\n  pirce $3'));
    const r = await runCli(['test', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/main\.route:\d+:\d+/);
  });

  it('finds the test file of a rule file, and says when one has none', async () => {
    const dir = project(`${DEFAULTS}cases:\n  - { name: a, expect: { buyers: [Premium] } }\n`);
    expect((await runCli(['test', 'main.route'], dir)).code).toBe(0);
    writeScratch(dir, 'other.route', RULES);
    const none = await runCli(['test', 'other.route'], dir);
    expect(none).toMatchObject({ code: 2 });
    expect(none.err).toContain('`other.route` has no test file: write other.test.yaml beside it');
    const folder = await runCli(['test', '--coverage', '.'], dir);
    expect(folder.out).toContain('other.route: no test file');
  });

  it('sells an auction against simulated bids, never the network', async () => {
    const auction = `lead {
  id: string
  state: state
}

buyer A {
  ping "http://192.0.2.1/ping" fields state
  bid price "price"
}

buyer B {
  ping "http://192.0.2.2/ping" fields state
  bid price "offer.amount", exclusive "alone"
}

flow main {
  auction { A, B } floor $10 exclusive min $30 shared max 2
}
`;
    const dir = project(`defaults: { lead: { id: X, state: CA } }
cases:
  - { name: both share, bids: { A: 12, B: 15 }, expect: { buyers: [B, A], price: 27 } }
  - { name: exclusive, bids: { A: 12, B: { price: 31, exclusive: true } }, expect: { buyers: [B], exclusive: true } }
  - { name: under the floor, bids: { A: 9 }, expect: { status: unrouted } }
`, auction);
    const r = await runCli(['test', 'main.test.yaml'], dir);
    expect(r.out).toContain('3 cases, 0 distributions: 3 passed, 0 failed');
    expect(r.code).toBe(0);
  });
});

describe('the rules/ folder', () => {
  it('passes `leadroute test --coverage --min 100`', async () => {
    const r = await runCli(['test', '--coverage', '--min', '100']);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/\d+ cases, \d+ distributions: \d+ passed, 0 failed/);
    expect(r.out).toMatch(/coverage: 100\.0% \(\d+ of \d+ branches, 24 rule files, \d+ ignored\), minimum 100%/);
    expect(r.code).toBe(0);
  }, 60_000);
});
