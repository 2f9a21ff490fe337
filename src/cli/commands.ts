// Every `leadroute` command, declared once: name, summary, arguments and
// options. The parser, `--help`, `leadroute --help` and the completion scripts
// all come from this list (src/cli/program.ts, src/cli/completion.ts). Adding a
// command is one declaration here and one module that exports its `run`.
// Modules are imported when their command runs, so `--help` loads none.

import { MAX_ERRORS_OPTION, defineCommand, type CommandSpec, type OptionValues } from './options.js';

const FILE_ARG = { name: 'FILE', description: 'a rule file (.route) or a compiled plan.json', complete: 'file' } as const;

const ROUTING = {
  flow: { kind: 'text', value: 'NAME', description: 'the flow to route through (default: the first)' },
  at: { kind: 'text', value: 'ISO-TIME', description: 'the routing time (default: now)' },
  seed: { kind: 'text', value: 'S', description: 'seed of the random draws' },
} as const;

export const CHECK_OPTIONS = {
  format: { kind: 'choice', value: 'FORMAT', choices: ['text', 'json'], default: 'text', description: 'text for people; json: one document on stdout' },
  maxErrors: MAX_ERRORS_OPTION,
} as const;
export type CheckOptions = OptionValues<typeof CHECK_OPTIONS>;

export const COMPILE_OPTIONS = {
  output: { kind: 'text', value: 'PLAN', short: 'o', file: true, description: 'write the plan to this file (default: stdout)' },
  maxErrors: MAX_ERRORS_OPTION,
} as const;
export type CompileOptions = OptionValues<typeof COMPILE_OPTIONS>;

export const ROUTE_OPTIONS = {
  lead: { kind: 'text', value: 'JSON', description: 'one lead, as JSON (its trace is shown)' },
  leads: { kind: 'text', value: 'FILE.jsonl', file: true, description: 'leads, one JSON object a line' },
  ...ROUTING,
  limit: { kind: 'int', value: 'N', min: 1, description: 'route at most N leads' },
  json: { kind: 'flag', description: 'one JSON decision a line' },
  trace: { kind: 'flag', description: 'print each decision\'s trace' },
  maxErrors: MAX_ERRORS_OPTION,
} as const;
export type RouteOptions = OptionValues<typeof ROUTE_OPTIONS>;

/** `sell`'s options; `demo` takes them too, with the sample files as defaults. */
const SELLING = {
  buyers: { kind: 'text', value: 'CONFIG', file: true, description: 'start the mock buyers of CONFIG first' },
  ephemeral: { kind: 'flag', description: 'give the mock buyers free ports' },
  store: { kind: 'text', value: 'DB', file: true, description: 'keep caps and journals in this SQLite file' },
  dryRun: { kind: 'flag', description: 'print the requests a run would send; send none' },
  json: { kind: 'flag', description: 'one JSON line a lead, then the totals' },
  ...ROUTING,
  limit: { kind: 'int', value: 'N', min: 1, description: 'sell at most N leads' },
  concurrency: { kind: 'int', value: 'N', min: 1, default: 20, description: 'leads sold at a time' },
  quiet: { kind: 'flag', description: 'no line a lead, only the summary' },
  maxErrors: MAX_ERRORS_OPTION,
} as const;

export const SELL_OPTIONS = {
  leads: { kind: 'text', value: 'FILE.jsonl', file: true, required: true, description: 'leads, one JSON object a line' },
  ...SELLING,
} as const;
export type SellOptions = OptionValues<typeof SELL_OPTIONS>;

export const DEMO_OPTIONS = {
  plain: { kind: 'flag', description: 'routing only (rules/solar.route), no HTTP' },
  rules: { kind: 'text', value: 'FILE', file: true, description: 'the rule file (default: the sample)' },
  leads: { kind: 'text', value: 'FILE.jsonl', file: true, description: 'the leads (default: examples/leads.jsonl)' },
  ...SELLING,
} as const;
export type DemoOptions = OptionValues<typeof DEMO_OPTIONS>;

export const MOCK_BUYERS_OPTIONS = {
  ephemeral: { kind: 'flag', description: 'free ports instead of the configured ones' },
  seed: { kind: 'text', value: 'S', description: 'seed of the buyers\' random answers' },
} as const;
export type MockBuyersOptions = OptionValues<typeof MOCK_BUYERS_OPTIONS>;

export const SIMULATE_OPTIONS = {
  leads: { kind: 'text', value: 'FILE.jsonl', file: true, description: 'leads to route (or --count)' },
  count: { kind: 'text', value: 'N', short: 'n', description: 'generate N leads from the lead schema' },
  seed: { kind: 'text', value: 'S', description: 'seed of the leads and draws (default: 1)' },
  from: { kind: 'text', value: 'ISO-TIME', description: 'the simulated clock\'s start' },
  rate: { kind: 'text', value: 'RATE', description: 'arrivals: 600/h, 10/min, 1/s (default: 600/h)' },
  flow: ROUTING.flow,
  store: { kind: 'text', value: 'DB', file: true, description: 'a SQLite store (kept, with the journal)' },
  report: { kind: 'text', value: 'FILE.html', file: true, description: 'also write an HTML report' },
  json: { kind: 'flag', description: 'the summary as JSON' },
  maxErrors: MAX_ERRORS_OPTION,
} as const;
export type SimulateOptions = OptionValues<typeof SIMULATE_OPTIONS>;

export const REPL_OPTIONS = {
  ...ROUTING,
  buyers: { kind: 'text', value: 'CONFIG', file: true, description: 'post to the mock buyers of CONFIG' },
  maxErrors: MAX_ERRORS_OPTION,
} as const;
export type ReplOptions = OptionValues<typeof REPL_OPTIONS>;

export const FMT_OPTIONS = {
  check: { kind: 'flag', description: 'rewrite nothing; list the unformatted, exit 1' },
  maxErrors: MAX_ERRORS_OPTION,
} as const;
export type FmtOptions = OptionValues<typeof FMT_OPTIONS>;

export const TEST_OPTIONS = {
  coverage: { kind: 'flag', description: 'report the rules, buyers and branches no test exercised' },
  min: { kind: 'text', value: 'PCT', description: 'exit 1 when coverage is under PCT percent (implies --coverage)' },
} as const;
export type TestOptions = OptionValues<typeof TEST_OPTIONS>;

export const SERVE_OPTIONS = {
  port: { kind: 'int', value: 'PORT', min: 0, default: 8080, description: 'the port to listen on (0: a free one)' },
  host: { kind: 'text', value: 'HOST', description: 'the address to listen on (default: 127.0.0.1)' },
  store: { kind: 'text', value: 'DB|URL', file: true, description: 'SQLite journal and state, or redis://… shared state (default: in memory)' },
  journal: { kind: 'text', value: 'DB', file: true, description: 'with a redis:// store: SQLite journal and inbox' },
  redisPrefix: { kind: 'text', value: 'P', description: 'with a redis:// store: its key prefix (leadroute:)' },
  queue: { kind: 'text', value: 'URL', description: 'redis://…: delayed posts, retries, batches on BullMQ' },
  buyers: { kind: 'text', value: 'CONFIG', file: true, description: 'start these mock buyers first and sell to them' },
  ephemeral: { kind: 'flag', description: 'the mock buyers of --buyers on free ports' },
  keys: { kind: 'text', value: 'FILE', file: true, description: 'API keys per source (or LEADROUTE_API_KEYS)' },
  bodyLimit: { kind: 'int', value: 'BYTES', min: 1, default: 64 * 1024, description: 'the largest request body' },
  seed: { kind: 'text', value: 'S', description: 'seed of the random draws' },
  noWatch: { kind: 'flag', description: 'do not reload the rule file when it changes' },
  returnWindow: { kind: 'text', value: 'DURATION', description: 'how long a lead may be returned ("7 days")' },
  returnReasons: { kind: 'text', value: 'A,B,C', description: 'the reasons a return may give' },
  fsync: { kind: 'flag', description: 'SQLite synchronous=FULL: an ack survives power loss' },
  alertEvery: { kind: 'int', value: 'SECONDS', min: 1, default: 30, description: "how often the rule file's alerts are evaluated" },
  logLevel: {
    kind: 'choice',
    value: 'LEVEL',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    description: 'pino log level (JSON lines on stdout)',
  },
} as const;
export type ServeOptions = OptionValues<typeof SERVE_OPTIONS>;

export const COMMANDS: readonly CommandSpec[] = [
  defineCommand({
    name: 'check',
    summary: 'check rule files (or compiled plan.json files)',
    notes: 'Exit codes: 0 clean, 1 errors found, 2 usage.',
    args: [{ ...FILE_ARG, many: true, description: 'rule files (.route) or compiled plan.json files' }],
    options: CHECK_OPTIONS,
    run: async (args, o, io) => (await import('./check.js')).checkCommand(args, o, io),
  }),
  defineCommand({
    name: 'compile',
    summary: 'compile a rule file to a routing plan (JSON)',
    args: [{ ...FILE_ARG, description: 'a rule file' }],
    options: COMPILE_OPTIONS,
    run: async (args, o, io) => (await import('./compile.js')).compileCommand(args, o, io),
  }),
  defineCommand({
    name: 'route',
    summary: 'route leads through a rule file or a plan.json',
    notes: 'Give --lead JSON or --leads FILE.jsonl.\nExit codes: 0 ok, 1 a line was not JSON or failed, 2 usage.',
    args: [FILE_ARG],
    options: ROUTE_OPTIONS,
    run: async (args, o, io) => (await import('./route.js')).routeCommand(args, o, io),
  }),
  defineCommand({
    name: 'simulate',
    summary: 'shares, caps and revenue on a simulated clock',
    notes: 'Give --leads FILE.jsonl or --count N.',
    args: [FILE_ARG],
    options: SIMULATE_OPTIONS,
    run: async (args, o, io) => (await import('./simulate.js')).simulateCommand(args, o, io),
  }),
  defineCommand({
    name: 'sell',
    summary: 'sell leads over HTTP: pings, auctions, posts, pixels',
    notes:
      'Exit codes: 0 ok; 1 a line was not JSON, a lead failed or a delivery\n' +
      'failed; 2 usage or rule errors.',
    args: [FILE_ARG],
    options: SELL_OPTIONS,
    run: async (args, o, io) => (await import('./sell.js')).sellCommand(args, o, io),
  }),
  defineCommand({
    name: 'demo',
    summary: '`sell` on the sample files, to mock buyers on loopback',
    notes: 'With --plain: the sample leads routed through rules/solar.route, no HTTP\n(--plain takes --rules, --leads, --flow, --at, --seed, --limit, --json).',
    args: [],
    options: DEMO_OPTIONS,
    run: async (args, o, io) => (await import('./demo.js')).demoCommand(args, o, io),
  }),
  defineCommand({
    name: 'fmt',
    summary: 'rewrite rule files in the canonical layout',
    notes: 'No FILE: stdin to stdout.',
    args: [{ name: 'FILE|DIR', description: 'rule files, or folders of them', many: true, optional: true, complete: 'file' }],
    options: FMT_OPTIONS,
    run: async (args, o, io) => (await import('./fmt.js')).fmtCommand(args, o, io),
  }),
  defineCommand({
    name: 'mock-buyers',
    summary: 'run mock buyer HTTP servers until Ctrl-C',
    args: [{ name: 'CONFIG', description: 'a mock buyer configuration (e.g. examples/mock-buyers.json)', complete: 'file' }],
    options: MOCK_BUYERS_OPTIONS,
    run: async (args, o, io) => (await import('./mock-buyers.js')).mockBuyersCommand(args, o, io),
  }),
  defineCommand({
    name: 'repl',
    summary: 'try leads by hand (:help inside); reloads on change',
    args: [FILE_ARG],
    options: REPL_OPTIONS,
    run: async (args, o, io) => (await import('./repl.js')).replCommand(args, o, io),
  }),
  defineCommand({
    name: 'test',
    summary: 'run the test files beside rule files (docs/TESTING.md)',
    notes: 'No PATH: rules/. Exit 1 on a failed case or coverage under --min,\n2 on a bad test file or a rule file with errors.',
    args: [{ name: 'PATH', description: 'rule files, test files, or folders of them', many: true, optional: true, complete: 'file' }],
    options: TEST_OPTIONS,
    run: async (args, o, io) => (await import('./test-command.js')).testCommand(args, o, io),
  }),
  defineCommand({
    name: 'serve',
    summary: 'the HTTP service: sources post leads (docs/SERVE.md)',
    notes: 'Runs until SIGINT or SIGTERM. Exit 1 when the port or the buyers\ncannot be had, 2 on usage, rule or key-file errors.',
    args: [FILE_ARG],
    options: SERVE_OPTIONS,
    run: async (args, o, io) => (await import('./serve.js')).serveCommand(args, o, io),
  }),
  defineCommand({
    name: 'completion',
    summary: 'print a shell completion script',
    notes: 'bash: eval "$(leadroute completion bash)"\nzsh:  eval "$(leadroute completion zsh)"\nfish: leadroute completion fish | source',
    args: [{ name: 'SHELL', description: 'bash, zsh or fish (default: bash)', optional: true, complete: ['bash', 'zsh', 'fish'] }],
    options: {},
    run: async (args, _o, io) => (await import('./completion.js')).completionCommand(args, io),
  }),
];
