// Every diagnostic leadroute can report, in one table with stable codes
// (the habit borrowed from TypeScript's diagnosticMessages). Codes never change
// meaning once published; retired codes are not reused.
//
// A code's entry holds its message template: `{0}`, `{1}` … are the arguments
// the call site passes, so `diagnostic('LR211', span)` or
// `diagnostic('LR104.capUnit', span, 'hr', units)` is the whole call. A code that
// says several different things names each extra phrasing in `variants`,
// addressed as `CODE.variant`. The help has the same placeholders; one only the
// help uses may be left `undefined` (a did-you-mean that found nothing), and
// the diagnostic then has no help. There is no other way to make a
// diagnostic: a call site cannot pass a message of its own.
//
// This file is over 500 lines because the table is: one entry per code, and
// splitting it would put one code's phrasings in two places.

import picocolors from 'picocolors';
import { MAX_DIAGNOSTICS_SHOWN } from '../core/limits.js';
import type { Span } from './ast.js';

export type Severity = 'error' | 'warning';

export interface MessageTemplate {
  /** The message, with `{0}`, `{1}` … for the call site's arguments. */
  message: string;
  /** The suggestion, with the same placeholders. */
  help?: string;
  /** A variant's own severity, when it is not its code's (LR713's warning about a written credential). */
  severity?: Severity;
}

/** A code: its main phrasing (`CODE`), its other phrasings (`CODE.variant`), or both; never neither. */
export type DiagnosticInfo = { severity: Severity; title: string } & (
  | (MessageTemplate & { variants?: Record<string, MessageTemplate> })
  | { message?: undefined; help?: undefined; variants: Record<string, MessageTemplate> }
);

export const DIAGNOSTIC_CODES = {
  // 1xx: reading the file
  LR100: {
    severity: 'error',
    title: 'syntax error',
    // The expectation is composed from the grammar itself (see parser.ts).
    message: '{0}',
    variants: { internal: { message: 'internal parser error: {0}', help: 'please report this file' } },
  },
  LR101: { severity: 'error', title: 'unterminated string', message: 'this string has no closing `"`', help: 'add a `"` before the end of the line' },
  LR102: {
    severity: 'error',
    title: 'unexpected character',
    message: 'unexpected character `{0}`',
    variants: {
      several: { message: 'unexpected characters `{0}`' },
      quote: { message: 'unexpected character `{0}`', help: 'strings use double quotes: "like this"' },
    },
  },
  LR103: {
    severity: 'error',
    title: 'invalid literal',
    message: '`{0}` is not a time of day',
    help: 'write times as HH:MM, 00:00 to 24:00',
    variants: {
      range: { message: 'a range only applies to `int`, `number` and `money`, not `{0}`' },
    },
  },
  LR104: {
    severity: 'error',
    title: 'unknown word',
    message: 'unknown type `{0}`',
    help: 'a type is one of {1}, `list T`, or strings separated by `|`',
    variants: {
      capUnit: { message: 'unknown cap period `{0}`', help: 'a cap period is {1}' },
      day: { message: 'unknown day `{0}`', help: 'days are {1}' },
      performance: {
        message: 'expected `performance` after `split by`, found `{0}`',
        help: 'write `split by performance conversion over 7d min 10% max 50% { A, B }`',
      },
    },
  },
  LR105: {
    severity: 'error',
    title: 'number too large',
    message: '`{0}` is too large a number to hold exactly',
    help: 'numbers (and durations, in milliseconds) go up to {1}',
  },
  LR106: {
    severity: 'error',
    title: 'expression too complex',
    message: 'this expression nests more than {0} levels deep',
    help: 'split it into several rules or use `in [...]`',
    variants: {
      size: { message: 'this expression has more than {0} parts', help: 'split it into several rules or use `in [...]`' },
    },
  },
  // 2xx: names
  LR200: { severity: 'error', title: 'unknown field', message: 'unknown field `{0}`', help: '{1}',
    variants: {
      scoped: { message: '`{0}` is known only in {1}', help: 'use a lead field here' },
      function: { message: '`{0}` is a function, not a lead field', help: 'call it: `{0}(…)`' },
      zip3Derived: { message: '`zip3` is derived from a ZIP code field, and the lead has none', help: 'declare `zip: zip`, or drop `zip3`' },
    },
  },
  LR201: { severity: 'error', title: 'unknown buyer', message: 'unknown buyer `{0}`', help: '{1}',
    variants: {
      noBuyers: { message: 'unknown buyer `{0}`', help: 'declare it: `buyer {0} { … }`' },
      isFlow: { message: '`{0}` is a flow, not a buyer', help: 'write `else flow {0}`' },
    },
  },
  LR202: { severity: 'error', title: 'unknown flow', message: 'unknown flow `{0}`', help: '{1}' },
  LR203: { severity: 'error', title: 'duplicate buyer', message: 'buyer `{0}` is already declared at {1}', help: 'merge the two declarations or rename one' },
  LR204: { severity: 'error', title: 'duplicate flow', message: 'flow `{0}` is already declared at {1}', help: 'merge the two flows or rename one' },
  LR205: { severity: 'error', title: 'duplicate field', message: 'field `{0}` is already declared at {1}', help: 'remove or rename one of them' },
  LR206: { severity: 'error', title: 'no flow', message: 'the file declares no flow, so no lead can be routed', help: 'add one, e.g. `flow main { route SomeBuyer }`' },
  LR207: { severity: 'error', title: 'no lead schema', message: 'the file declares no lead schema', help: 'add `lead { … }` with the fields a lead carries, or `lead from "schema.json"`' },
  LR208: { severity: 'error', title: 'lead schema file unusable', message: 'the `lead from` path is empty',
    variants: {
      // {1}: where it stops parsing (` (line 3, column 7)`) or nothing; never the file's text
      schemaNotJson: { message: 'the lead schema `{0}` is not valid JSON{1}' },
      xPii: {
        message: 'the lead schema `{0}`: property `{1}` has `"x-pii": {2}`, which is neither true nor false',
        help: 'write `"x-pii": true` for personal data or `"x-pii": false` for none',
      },
      schemaNoProperties: { message: 'the lead schema `{0}` is not a usable JSON Schema: it needs a top-level `properties` object' },
      schemaProperty: { message: 'the lead schema `{0}`: property `{1}` {2}' },
      unreadable: { message: 'cannot read the lead schema `{0}`', help: '`lead from` paths are relative to the rule file' },
    },
  },
  LR209: { severity: 'error', title: 'duplicate clause', message: 'buyer `{0}` already has `{1}` at {2}; it may appear once', help: 'keep one `{1}`',
    variants: {
      clauseHelp: { message: 'buyer `{0}` already has `{1}` at {2}; it may appear once', help: '{3}' },
      backupPost: { message: 'buyer `{0}` already has `{1}` at {2}; it may appear once', help: 'a buyer has one backup post' },
    },
  },
  LR210: { severity: 'error', title: 'reserved name', message: '`{0}` is a reserved name and cannot be a lead field', help: "`{0}` already means the lead's random number 1..100; rename the field",
    variants: {
      inSchema: { message: 'the lead schema `{0}` declares `{1}`, a reserved name that cannot be a lead field', help: "`{1}` already means the lead's random number 1..100; rename the property" },
      objectKey: { message: '`{0}` is a reserved name and cannot be a lead field: it is how JavaScript objects reach their prototype', help: 'rename the field' },
      objectKeyInSchema: { message: 'the lead schema `{0}` declares `{1}`, a reserved name that cannot be a lead field: it is how JavaScript objects reach their prototype', help: 'rename the property' },
    },
  },
  LR211: {
    severity: 'error',
    title: 'second lead schema',
    message: 'a file has one `lead` declaration; this is a second one',
    help: 'merge the fields into the first `lead` block',
  },
  LR212: { severity: 'error', title: 'unknown option',
    variants: {
      batchFormat: { message: 'unknown batch format `{0}`', help: '{1}' },
      batchFormatList: { message: 'unknown batch format `{0}`', help: 'a batch is `csv` or `json`' },
      bidKey: { message: 'unknown bid key `{0}`', help: '{1}' },
      bidKeyList: { message: 'unknown bid key `{0}`', help: 'the keys are {1}' },
      saleKey: { message: 'unknown sale key `{0}`', help: '{1}' },
      saleKeyList: { message: 'unknown sale key `{0}`', help: 'the keys are {1}' },
      pixelEvent: { message: 'unknown pixel event `{0}`', help: '{1}' },
      pixelEventList: { message: 'unknown pixel event `{0}`', help: 'the events are {1}' },
      rankFactor: { message: 'unknown rank factor `{0}`', help: '{1}' },
      rankFactorList: { message: 'unknown rank factor `{0}`', help: 'the factors are {1}' },
      splitMetric: { message: 'unknown performance metric `{0}`', help: '{1}' },
      splitMetricList: { message: 'unknown performance metric `{0}`', help: 'the metrics are {1}' },
    },
  },
  LR213: { severity: 'warning', title: 'required field in `requires`', message: '`{0}` is required by the lead schema, so every lead has it and `requires` never turns one away', help: 'mark `{0}` `optional` in the schema, or drop it here' },
  LR214: { severity: 'error', title: 'field listed twice', message: '`{0}` is already in this `fields` list', help: 'list each field once',
    variants: {
      list: { message: '`{0}` is already in this {1} list', help: 'list each field once' },
      setTwice: { message: '`{0}` is already set in this step', help: 'set each field once' },
    },
  },
  LR215: {
    severity: 'error',
    title: 'file outside the rule folder',
    message: '{0} `{1}` is an absolute path: a rule file reads only files inside its own folder',
    help: 'write the path relative to the rule file, inside its folder',
    variants: {
      escapes: { message: "{0} `{1}` is outside the rule file's folder: a rule file reads only files inside it", help: "move the file into the rule file's folder (or a folder below it)" },
      linksOutside: { message: "{0} `{1}` is a link to a file outside the rule file's folder", help: "copy the file into the rule file's folder instead of linking to it" },
      notFile: { message: '{0} `{1}` is not a regular file', help: 'name a regular file: not a directory, a device or a pipe' },
      tooLarge: { message: '{0} `{1}` is larger than {2}', help: 'templates and lead schemas are small files; check the path' },
    },
  },
  // 3xx: types
  LR300: { severity: 'error', title: 'type mismatch', message: '{0} must be a number, but {1} {2}', help: '{3}',
    variants: {
      cannotSet: { message: '`{0}` is {1}, so it cannot be set to {2}', help: '{3}' },
      listMix: { message: 'a list cannot mix {0} with {1}{2}' },
      neverEqual: { message: '{0} is never equal to {1}', help: '{2}' },
      needsNumber: { message: '`-` needs a number, but {0} is {1}' },
      cannotCombine: { message: '`{0}` cannot combine {1} with {2}', help: '{3}' },
      cannotOrderMembership: { message: '`{0}` cannot order {1}: only numbers, durations and times have an order', help: 'test membership instead, e.g. `{2} in [{3}]`' },
      inNeedsList: { message: '{0} needs a list on its right, but {1} is {2}', help: '{3}' },
      neverHolds: { message: '{0} never holds {1}', help: '{2}' },
      betweenType: { message: '`between` needs a number, duration or time, but {0} is {1}' },
      betweenMismatch: { message: '`between` cannot compare {0} with {1}', help: '{2}' },
      callArg: { message: '`{0}` needs {1}, but {2} is {3}', help: '{4}' },
      existsRandom: { message: '`exists` needs a lead field, and `random` always exists' },
      existsExpression: { message: "`exists` needs a lead field's name, but {0} is an expression" },
      containsText: { message: '`contains` looks for text in {0}, but {1} is {2}', help: '{3}' },
      containsSubject: { message: '`contains` needs a list or a string first, but {0} is {1}' },
      amount: { message: '{0} must be an amount of dollars, but {1} is {2}', help: 'write an amount such as `$20`' },
      amountNotPercent: { message: '{0} must be an amount of dollars, but {1} is {2}', help: 'write the amount in dollars, e.g. `$20`' },
      duration: { message: '{0} must be a duration, but {1} is {2}', help: 'write a duration such as `5m`' },
      durationUnit: { message: '{0} must be a duration, but {1} is {2}', help: 'give it a unit, e.g. `500ms`, `5s`, `5m`, `7d`' },
      cannotOrder: { message: '`{0}` cannot order {1}: only numbers, durations and times have an order', help: '{2}' },
      cannotOrderUnit: { message: '`{0}` cannot order {1}: only numbers, durations and times have an order', help: 'give the duration a unit, e.g. `5m`, `2h`, `7d`' },
      cannotCompare: { message: '`{0}` cannot compare {1} with {2}', help: '{3}' },
      cannotCompareUnit: { message: '`{0}` cannot compare {1} with {2}', help: 'give the duration a unit, e.g. `5m`, `2h`, `7d`' },
      withinDuration: { message: '`within` needs a duration on its right, but {0} is {1}', help: 'write a duration such as `5m`' },
      withinDurationUnit: { message: '`within` needs a duration on its right, but {0} is {1}', help: 'give it a unit, e.g. `5m`, `24h`, `30d`' },
      withinTime: { message: '`within` needs a time field on its left, but {0} is {1}' },
      withinTimeDuration: { message: '`within` needs a time field on its left, but {0} is {1}', help: 'compare the duration instead, e.g. `{2} <= {3}`' },
      replyLiteral: { message: 'a reply is compared with a literal (a string, number or true/false), not `{0}`', help: 'quote it: `"{1}"`' },
    },
  },
  LR301: { severity: 'error', title: 'value outside the enum', message: '`{0}` is not one of {1} values: {2}', help: '{3}' },
  LR302: { severity: 'error', title: 'not a US state code', message: '`{0}` is not a US state code', help: '{1}' },
  LR303: { severity: 'error', title: 'random compared outside 1..100', message: '`random` is a whole number from 1 to 100, so it is never {0}', help: 'list numbers from 1 to 100',
    variants: {
      bound: { message: '`random` is a whole number from 1 to 100; {0} is outside it', help: 'use a bound from 1 to 100, e.g. `{1}`' },
      outside: { message: '`random` is a whole number from 1 to 100, so {0} is {1}', help: 'compare `random` with a number from 1 to 100' },
      verdict: { message: '`random` is a whole number from 1 to 100, so {0} is {1}' },
    },
  },
  LR304: { severity: 'error', title: 'condition is not true/false', message: '{0} must be true or false, but {1} {2}', help: '{3}' },
  LR305: { severity: 'error', title: 'unknown function', message: 'unknown function `{0}`', help: '{1}' },
  LR306: { severity: 'error', title: 'wrong number of arguments', message: '`{0}` takes {1} {2}, but {3} given', help: '`{4}`: {5}' },
  LR307: { severity: 'error', title: 'empty range', message: 'the range {0}..{1} is empty: its lower end is above its upper end', help: 'write `{2} {1}..{0}`',
    variants: {
      schemaProperty: { message: 'the lead schema `{0}`: property `{1}` has the empty range {2}..{3}' },
    },
  },
  LR308: { severity: 'warning', title: 'value outside the declared range', message: '{0} is outside the values of `{1}` ({2}){3}' },
  LR309: { severity: 'warning', title: 'condition is always true', message: '`random` is a whole number from 1 to 100, so {0} is always true', help: 'drop the comparison',
    variants: {
      randomAlways: { message: '`random` is always from 1 to 100, so {0} is always true' },
      required: { message: '`{0}` is required, so {1} is always true', help: 'mark the field `optional` if leads may leave it out' },
      randomEvery: { message: '{0} is always true: every value of `random` satisfies it' },
      emptyList: { message: 'nothing is in an empty list, so {0} is always true' },
      constant: { message: '{0} is always true: it looks at nothing in the lead' },
    },
  },
  LR310: { severity: 'warning', title: 'condition is never true', message: '{0} is never true: its lower bound {1} is above its upper bound {2}', help: 'write `between {3} and {1}`',
    variants: {
      randomNone: { message: '{0} is never true: no value of `random` satisfies it' },
      noValue: { message: '{0} is never true: no value of {1} satisfies every part of it' },
      emptyList: { message: 'nothing is in an empty list, so {0} is never true' },
      constant: { message: '{0} is never true: it looks at nothing in the lead' },
    },
  },
  LR311: { severity: 'error', title: 'value out of range', message: '{0} of {1} {2}', help: 'give it a length above zero',
    variants: {
      preferenceWeight: { message: 'a preference weight must be above zero, not {0}', help: 'write e.g. `weight 10`, or drop the preference' },
      relationship: { message: 'a relationship score is from 0 to 1, not {0}', help: 'write e.g. `relationship 0.8`' },
      relationshipPercent: { message: 'a relationship score is from 0 to 1, not {0}', help: 'for {0}%, write `relationship {1}`' },
      exclusiveMinComputed: { message: '`exclusive min` is a fixed dollar amount, not one computed per lead', help: 'write an amount such as `exclusive min $40`' },
      exclusiveMinNegative: { message: '`exclusive min` is -${0}: an amount is never negative', help: 'write `exclusive min $0` or more' },
      factorZero: { message: 'the factor `{0}` weighs {1}%, so it counts for nothing', help: 'drop it, or give it a weight above 0%' },
      premiumZero: { message: 'a premium of {0} adds nothing', help: 'give it an amount above zero, e.g. `premium 20%`' },
      buyerShare: { message: "`{0} {1}%`: a buyer's share is from 0% to 100%" },
      rankMin: { message: '`min {0}`: a score is from 0 to 1', help: 'write e.g. `min 0.5`' },
      rankMinPercent: { message: '`min {0}`: a score is from 0 to 1', help: 'for {0}%, write `min {1}`' },
    },
  },
  // 4xx: flow structure
  LR400: { severity: 'error', title: 'split weights do not sum to 100%', message: 'split weights sum to {0}%, not 100%', help: 'add {1}% to the entries',
    variants: {
      over: { message: 'split weights sum to {0}%, not 100%', help: 'take {1}% off the entries' },
    },
  },
  LR401: { severity: 'warning', title: 'overlapping random ranges', message: 'random {0} is already taken by the rule at line {1}{2}', help: 'so this rule gets random {3} ({4}% of leads), not the {5}% its condition says',
    variants: {
      allTaken: { message: 'random {0} is already taken by the rule at line {1}{2}' },
    },
  },
  LR402: { severity: 'warning', title: 'gap in random ranges', message: 'random {0} {1} no rule of flow `{2}`: those leads ({3}%) go unrouted', help: 'add an `otherwise` rule, or widen a range' },
  LR403: { severity: 'warning', title: 'unreachable rule', message: 'unreachable: this rule comes after `otherwise` (line {0}), which every lead matches first', help: 'it only gets leads {1} cannot place; reorder the rules if this one should come first',
    variants: {
      afterReject: { message: 'unreachable: this rule comes after the unguarded `reject` at line {0}, which stops every lead', help: 'it only gets leads {1} cannot place; reorder the rules if this one should come first' },
      afterUnguarded: { message: 'unreachable: this rule comes after the unguarded rule at line {0}, which every lead matches first', help: 'it only gets leads {1} cannot place; reorder the rules if this one should come first' },
      randomTaken: { message: 'unreachable: random {0} is already taken by {1}', help: 'it only gets leads {2} cannot place; reorder the rules if this one should come first' },
      sameCondition: { message: 'unreachable: the rule at line {0} has the same condition and is tried first', help: 'it only gets leads {1} cannot place; reorder the rules if this one should come first' },
      implied: { message: 'unreachable: every lead this rule matches also matches the rule at line {0}{1}, which is tried first', help: 'it only gets leads {2} cannot place; reorder the rules if this one should come first' },
    },
  },
  LR404: { severity: 'error', title: 'overflow cycle', message: 'overflow cycle: {0} (this rule overflows `{1}` to `{2}`, whose overflow chain returns to `{1}`)', help: 'overflow to a buyer whose chain does not lead back to `{1}`',
    variants: {
      closedToSelf: { message: 'buyer `{0}` sends the leads it gets while closed to itself', help: 'a closed buyer cannot take the leads it turns away; send them to another buyer, or `hold` them' },
      mixedCycle: { message: 'cycle: {0}, so a lead no buyer in it can take would go round forever', help: 'end the chain at a buyer that neither overflows nor sends, or `hold` the lead instead' },
      selfOverflow: { message: 'buyer `{0}` overflows to itself', help: 'a capped buyer cannot take its own overflow; name another buyer or drop `overflow`' },
      overflowCycle: { message: 'overflow cycle: {0}', help: 'a lead every buyer in the cycle turns away would go round forever; end the chain at a buyer without `overflow`' },
    },
  },
  LR405: { severity: 'error', title: 'flow cycle', message: 'flow cycle: {0}', help: 'a lead would go round forever; remove one of the `flow` actions',
    variants: {
      cycleFallback: { message: 'flow cycle: {0}', help: 'a lead would go round forever; a fallback chain may not lead back to a flow it comes from' },
      cycleElse: { message: 'flow cycle: {0}', help: 'a lead would go round forever; end with `else` a buyer, or a flow that does not lead back here' },
      selfFlow: { message: 'flow `{0}` routes through itself', help: 'a lead would go round forever; remove one of the `flow` actions' },
      selfFallback: { message: 'flow `{0}` routes through itself', help: 'a lead would go round forever; a fallback chain may not lead back to a flow it comes from' },
      selfElse: { message: 'flow `{0}` routes through itself', help: 'a lead would go round forever; end with `else` a buyer, or a flow that does not lead back here' },
    },
  },
  LR406: { severity: 'error', title: 'buyer listed twice', message: 'buyer `{0}` is listed twice in this {1}', help: 'list each buyer once',
    variants: {
      split: { message: 'buyer `{0}` is listed twice in this {1}', help: 'give it one entry with the combined weight' },
      modelHelp: { message: 'buyer `{0}` is listed twice in this {1}', help: '{2}' },
    },
  },
  LR407: { severity: 'error', title: 'otherwise must be the last rule', message: '`otherwise` must be the last rule of flow `{0}`', help: 'move it to the end, or turn it into a `when` rule' },
  LR408: { severity: 'error', title: 'invalid share size', message: '`{0} {1}`: a lead is shared with a whole number of buyers', help: 'write `{0} {2}`',
    variants: {
      nobody: { message: '`{0} {1}` shares the lead with nobody: it needs at least 1', help: 'write `{0} {2}`' },
    },
  },
  LR409: { severity: 'warning', title: 'overflow to the same buyer', message: 'this rule overflows `{0}` to itself: a lead it turns away for lack of room cannot go back to it', help: 'overflow to another buyer, or drop `overflow`' },
  LR410: { severity: 'error', title: 'impossible performance split bounds', message: 'the minimum share ({0}%) is above the maximum ({1}%)', help: 'write `min {1}% max {0}%`',
    variants: {
      minTooHigh: { message: '{0} buyers at a minimum of {1}% each need {2}%, more than all leads', help: 'lower `min` to at most {3}%' },
      maxTooLow: { message: '{0} buyers at a maximum of {1}% each take only {2}% of leads', help: 'raise `max` to at least {3}%' },
    },
  },
  LR411: { severity: 'error', title: 'rank weights do not sum to 100%', message: 'the weighted factors take {0}%, leaving nothing for {1}', help: 'give every factor a weight, summing to 100%',
    variants: {
      under: { message: 'rank weights sum to {0}%, not 100%', help: 'add {1}% to the factors' },
      over: { message: 'rank weights sum to {0}%, not 100%', help: 'take {1}% off the factors' },
    },
  },
  LR412: { severity: 'error', title: 'rank factor listed twice', message: 'the factor `{0}` is already weighted at {1}', help: 'give it one weight' },
  LR413: { severity: 'error', title: 'split weight missing or not allowed', message: "a split by performance sets its weights from the buyers' {0}, so `{1}` takes no weight", help: 'write `{1}` alone; bound the weights with `min` and `max`',
    variants: {
      rest: { message: '`{0}` has no weight; every entry of a split needs one', help: 'write `{0} {1}%`' },
      fairRest: { message: '`{0}` has no weight; every entry of a fair split needs one', help: 'write `{0} {1}%`' },
      missing: { message: '`{0}` has no weight; every entry of a split needs one', help: 'give each entry a percentage, or let performance set them: `split by performance conversion over 7d min 10% max 50% { … }`' },
      fairMissing: { message: '`{0}` has no weight; every entry of a fair split needs one', help: 'give each entry a percentage, or let performance set them: `split by performance conversion over 7d min 10% max 50% { … }`' },
    },
  },
  // 5xx: time
  LR500: { severity: 'error', title: 'unknown time zone', message: 'unknown time zone `{0}`', help: 'did you mean `"{1}"`?',
    variants: {
      noNear: { message: 'unknown time zone `{0}`', help: 'use an IANA time zone name such as `"America/New_York"`' },
    },
  },
  LR501: { severity: 'error', title: 'invalid business hours', message: 'unknown day in business hours ({0})', help: 'days are `Mon` … `Sun`',
    variants: {
      sameTime: { message: 'these hours open and close at the same time ({0}), so they are never open' },
      closeBeforeOpen: { message: 'these hours close ({0}) before they open ({1})', help: 'hours stay within one day; for overnight hours write two lines, e.g. `{1}-24:00` and `00:00-{0}` on the next days' },
    },
  },
  LR502: { severity: 'error', title: 'unknown holiday calendar', message: 'unknown holiday calendar `{0}`: it {1}', help: '{2}' },
  LR503: { severity: 'warning', title: 'buyer is never closed', message: 'buyer `{0}` has no `hours` or `holidays`, so it is never closed and `when closed` never applies', help: 'add its `hours`, or drop `when closed`' },
  // 6xx: caps
  LR600: { severity: 'error', title: 'invalid cap', message: 'the cap `{0}` lets nothing through: a cap must be above zero', help: 'to stop sending leads to a buyer, remove its rules instead',
    variants: {
      fractionalLeads: { message: 'the cap `{0}` counts leads, which come whole', help: 'write `{1}/{2}`' },
    },
  },
  LR601: { severity: 'error', title: 'invalid count', message: '{0} must be at least {1}, not {2}', help: 'write e.g. `{3}`',
    variants: {
      whole: { message: '{0} is a whole number, not {1}', help: 'write e.g. `{2}`' },
    },
  },
  // 7xx: selling over HTTP, templates and personal data
  LR700: { severity: 'error', title: 'invalid URL', message: '{0} `{1}` is not an absolute URL', help: 'write it in full, e.g. `"https://{2}"`',
    variants: {
      fixedHost: { message: '{0} `{1}` has no fixed host', help: 'name the host; only the path and query may hold `{{…}}`' },
      namesFile: { message: '{0} `{1}` names no file', help: 'write e.g. `"file:out/batch.csv"`' },
      empty: { message: '{0} is empty', help: 'write `"https://…"`' },
      emptyOrFile: { message: '{0} is empty', help: 'write `"https://…"` or `"file:out/batch.csv"`' },
      notAbsoluteFile: { message: '{0} `{1}` is not an absolute URL', help: 'to write a file, say so: `"file:{2}"`' },
      buyerScheme: { message: '{0} uses `{1}:`; buyers are reached over `http:` or `https:`', help: 'write `"https://{2}…"`' },
      buyerFileScheme: { message: '{0} uses `{1}:`; buyers are reached over `http:` or `https:`', help: 'only a `batch` may write to a file' },
      batchScheme: { message: '{0} uses `{1}:`; a batch goes to an http(s) URL or a `file:` path', help: 'write `"https://{2}…"`' },
    },
  },
  LR701: { severity: 'error', title: 'bid without ping', message: 'buyer `{0}` reads bids, but has no `ping` to ask for them', help: 'add `ping "https://…"`, or drop `bid`' },
  LR702: { severity: 'error', title: 'auction buyer without ping or price', message: 'buyer `{0}` has neither a `ping` nor a `price`, so it cannot bid in an auction', help: 'give `{0}` a `ping "https://…"` and a `bid` mapping to bid per lead, or a `price` to bid a fixed price' },
  LR703: { severity: 'error', title: 'invalid reply mapping', message: 'the reply test has an empty path', help: 'name where in the reply the value is, e.g. `"status"`',
    variants: {
      bidKeyTwice: { message: 'the bid mapping already has `{0}` at {1}', help: 'keep one' },
      bidPathEmpty: { message: "the bid mapping's `{0}` has an empty path", help: 'name where in the reply it is, e.g. `"bid.amount"`' },
      acceptedValue: { message: '`accepted` needs the value that means a bid', help: 'write e.g. `accepted {0} == "accepted"`' },
      onlyAccepted: { message: 'only `accepted` compares the reply with a value; `{0}` names where a value is', help: 'write `{0} {1}`' },
      noPrice: { message: 'the bid mapping has no `price`: where in the reply the bid amount is', help: 'add e.g. `price "bid.amount"`' },
    },
  },
  LR704: { severity: 'error', title: 'template file unreadable', message: 'the template path is empty', help: 'name a .hbs file, relative to the rule file',
    variants: {
      unreadable: { message: 'cannot read the template `{0}`', help: 'template paths are relative to the rule file' },
    },
  },
  LR705: { severity: 'error', title: 'template syntax error', message: '{0} has a syntax error at {1}:{2}: {3}', help: '{4}',
    variants: {
      inline: { message: '{0} has a template syntax error at column {1}: {2}', help: '{3}' },
    },
  },
  LR706: { severity: 'error', title: 'unknown template variable', message: '{0} reads `{1}`{2}, which is not set here', help: 'read `lead.…`, `now`, or what the sale sets',
    variants: {
      outerContext: { message: '{0} reads `{1}`{2}, but there is no outer context', help: 'drop the `../`' },
      zip3: { message: '{0} reads `lead.zip3`{1}, but `zip3` is derived for pings only', help: 'write `lead.{2}`' },
      nowParts: { message: '{0} reads `{1}`{2}, but `now` is a time, with no parts', help: 'write `now`' },
      notSetBecause: { message: '{0} reads `{1}`{2}, but {3}' },
      noLeadField: { message: '{0} reads `lead.{1}`{2}, but the lead has no field `{1}`', help: 'did you mean `lead.{3}`?' },
      notSetKeys: { message: '{0} reads `{1}`{2}, which is not set: `{3}` has {4}', help: 'did you mean `{3}.{5}`?' },
      leadFieldRoot: { message: '{0} reads `{1}`{2}, which is not set here', help: 'lead fields are read through `lead`: `lead.{3}`' },
      rootDidYouMean: { message: '{0} reads `{1}`{2}, which is not set here', help: 'did you mean `{3}`?' },
      roots: { message: '{0} reads `{1}`{2}, which is not set here', help: 'a template can read {3}' },
    },
  },
  LR707: { severity: 'error', title: 'unknown template helper', message: '{0} uses the {1}{2}; templates have no partials or decorators', help: 'write the text out in this template',
    variants: {
      unknownHelper: { message: '{0} calls the unknown helper `{1}`{2}', help: '{3}' },
      unknownHelperList: { message: '{0} calls the unknown helper `{1}`{2}', help: 'the helpers are {3}' },
    },
  },
  LR708: { severity: 'error', title: 'personal data in a ping, a pixel or a field that is not PII', message: '{0} sends `lead.{1}`{2}, which is personal data (`{1}` is marked `pii`)', help: 'pings carry no personal data; send it in the post',
    variants: {
      pixel: {
        message: '{0} sends `lead.{1}`{2}, which is personal data (`{1}` is marked `pii`); pixels go to third-party trackers',
        help: 'send a digest: `{{hash lead.{1}}}`, or leave it out',
      },
      rewrite: {
        message: '`{0}` is not personal data, so it cannot be set from `{1}`, which is (a value derived from personal data is personal data)',
        help: 'mark `{0}` `pii`, or set it from fields that are not personal data',
      },
      pingField: { message: 'the ping would send `{0}`, which is personal data (it is marked `pii`)', help: 'pings carry no personal data; send it in the post' },
      pingZip: { message: 'the ping would send `{0}`, which is personal data (it is marked `pii`)', help: 'pings carry no personal data; send `zip3` in the ping and the full ZIP in the post' },
    },
  },
  LR709: { severity: 'warning', title: 'backup post without a post', message: 'buyer `{0}` has a `backup post` but no `post`, so the backup is never used', help: 'add the primary `post "https://…"`' },
  LR710: { severity: 'error', title: 'unknown HTTP method', message: 'unknown HTTP method `{0}`', help: '{1}',
    variants: {
      getWithBody: { message: 'a GET {0} sends no body, so it takes no template', help: 'put the values in the URL: `"https://…?zip={{lead.zip}}"`, or send it with POST' },
    },
  },
  LR711: { severity: 'warning', title: 'post without an accept rule', message: 'post without an accept rule: any 2xx will be booked as a sale (assumed accepted)', help: 'say what a sale looks like: `accepted "status" == "accepted"` on the post, or `sale accepted "status" in ["ok", "accepted"] ignoring case`' },
  LR714: { severity: 'error', title: 'invalid answer rule', message: 'buyer `{0}` reads post answers with `sale`, but has no `post`', help: 'add `post "https://…"`, or drop `sale`',
    variants: {
      twoAcceptRules: { message: 'buyer `{0}` has two accept rules: `accepted` on the post at {1} and in `sale`', help: 'keep one: the post\'s `accepted`, or the one in `sale`' },
      keyTwice: { message: 'the {0} mapping already has `{1}` at {2}', help: 'keep one' },
      needsTest: { message: '`{0}` needs the value it looks for', help: 'write e.g. `{0} {1} == true` or `{0} {1} in ["yes", "true"]`' },
      noTest: { message: '`{0}` names where a value is; only `accepted` and `duplicate` test one', help: 'write `{0} {1}`' },
      emptyIn: { message: '`in []` lists no value, so the test never holds', help: 'list the values that mean yes: `in ["ok", "accepted"]`' },
      ignoreCaseText: { message: '`ignoring case` compares text, but {0} is not text', help: 'drop `ignoring case`, or compare with a string' },
      carryName: { message: '`carry` needs a name for the value: `carry NAME "path"`', help: 'write e.g. `carry bid_id {0}`' },
      carryId: { message: '`carry id` would hide the ping id: `ping.id` is always the id leadroute sent', help: 'name it otherwise, e.g. `carry buyer_id {0}`' },
      carryTwice: { message: '`{0}` is already carried at {1}', help: 'carry each value under one name' },
      nameOnlyCarry: { message: 'only `carry` takes a name; `{0}` is written `{0} {1}`', help: 'drop `{2}`' },
      wordsOnly: { message: 'only `rejection_words` takes a list of words; `{0}` names where a value is', help: 'write `{0} "path"`' },
      wordsList: { message: '`rejection_words` takes a list of words, not a path', help: 'write `rejection_words [{0}]`' },
      emptyWord: { message: 'an empty rejection word is in every answer', help: 'drop it' },
      pathEmpty: { message: "the {0} mapping's `{1}` has an empty path", help: 'name where in the answer it is, e.g. `"result.status"`' },
    },
  },
  LR712: { severity: 'error', title: 'invalid request header', message: '`{0}` is not a header name', help: 'a header name is letters, digits and `-`, `_` or `.` (no spaces or `:`), e.g. `"X-Api-Key"`',
    variants: {
      reserved: { message: 'the header `{0}` is set by the HTTP client, not by hand', help: 'drop it: the client sets Host, Content-Length, Transfer-Encoding and Connection' },
      twice: { message: 'the header `{0}` is already set at {1}', help: 'set each header once' },
      value: { message: 'the value of the header `{0}` holds a line break or a control character', help: 'write the value on one line' },
    },
  },
  LR713: { severity: 'error', title: 'secret misuse', message: '{0} reads `{1}`{2}; a secret may not go to a pixel', help: 'pixels go to third-party trackers: send the credential in a ping or post (a `header`, the URL or the body)',
    variants: {
      name: { message: '{0} reads `{1}`{2}, which is no secret name', help: 'name an environment variable in capitals: `{{secret.SOLARCO_TOKEN}}`' },
      written: { severity: 'warning', message: 'the header `{0}` holds a credential written in the rule file', help: 'write the credential as {{secret.NAME}} and set the environment variable NAME' },
    },
  },
  // 8xx: alerts
  LR800: { severity: 'error', title: 'unknown alert measure', message: 'unknown alert measure `{0}`', help: '{1}',
    variants: { list: { message: 'unknown alert measure `{0}`', help: 'the measures are {1}' } },
  },
  LR801: { severity: 'error', title: 'alert threshold of the wrong unit', message: '`{0}` is {1}, but `{2}` is not', help: 'compare it with {3}' },
  LR802: { severity: 'error', title: 'duplicate alert', message: 'alert `{0}` is already declared at {1}', help: 'rename one: the name labels its metrics and log lines' },
  LR803: { severity: 'error', title: 'alert value out of range', message: 'the window `{0}` is not whole minutes from 1m to 24h', help: 'alerts count per minute and remember a day: write e.g. `over 15m` or `over 1h`',
    variants: { rate: { message: 'a rate is at most 100%, so `{0}` never holds or always does', help: 'write a percentage from 0% to 100%' } },
  },
  LR804: { severity: 'warning', title: 'alert with no data', message: '`{0}` is measured on {1}, and buyer `{2}` has none: the alert never has data', help: 'watch a buyer that has a `{3}`, or another measure' },
  // 9xx: internal errors (a bug in leadroute, not in the rule file), reported instead of thrown
  LR900: { severity: 'error', title: 'internal error in the checker', message: "internal error in the checker's {0} pass: {1}", help: 'this is a bug in leadroute, not in your file: please report it with the rule file' },
  LR901: { severity: 'error', title: 'internal error: the emitted plan is invalid', message: 'internal error: the emitted plan is invalid: {0}: {1}', help: 'please report this; the checker should have caught it',
    variants: {
      emit: { message: 'internal error: the plan could not be emitted: {0}' },
    },
  },
} as const satisfies Record<string, DiagnosticInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

type Table = typeof DIAGNOSTIC_CODES;

/** The codes whose entry has a message template, and the `CODE.variant` phrasings. */
type TemplatedCode = { [C in DiagnosticCode]: Table[C] extends { message: string } ? C : never }[DiagnosticCode];
type VariantId = {
  [C in DiagnosticCode]: Table[C] extends { variants: infer V } ? `${C}.${Extract<keyof V, string>}` : never;
}[DiagnosticCode];
export type MessageId = TemplatedCode | VariantId;

type TemplateOf<I extends MessageId> = I extends `${infer C extends DiagnosticCode}.${infer V}`
  ? Table[C] extends { variants: Record<V, infer T> } ? T : never
  : I extends DiagnosticCode ? Table[I] : never;

/** The placeholder numbers a template string uses (a `{` not starting `{n}`, as in `{{…}}`, is skipped). */
type Placeholders<S> = S extends `${string}{${infer After}`
  ? After extends `${infer N extends number}}${infer Rest}` ? N | Placeholders<Rest> : Placeholders<After>
  : never;
type MessagePlaceholders<T> = Placeholders<T extends { message: infer M } ? M : never>;
type TemplatePlaceholders<T> = MessagePlaceholders<T> | Placeholders<T extends { help: infer H } ? H : never>;
/**
 * A tuple with one argument per placeholder `{0}` … `{n}`. An argument the
 * message uses is required; one only the help uses may be `undefined` (a
 * did-you-mean that found nothing), and the diagnostic then has no help.
 */
type ArgTuple<N, InMessage, Acc extends (DiagnosticArg | undefined)[] = []> = [N] extends [never]
  ? Acc
  : Acc['length'] extends N
    ? ArgTuple<Exclude<N, Acc['length']>, InMessage, [...Acc, Acc['length'] extends InMessage ? DiagnosticArg : DiagnosticArg | undefined]>
    : Acc;
export type DiagnosticArg = string | number;
export type MessageArgs<I extends MessageId> =
  ArgTuple<TemplatePlaceholders<TemplateOf<I>>, MessagePlaceholders<TemplateOf<I>>> extends infer A extends (DiagnosticArg | undefined)[] ? A : never;

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  span: Span;
  /** A concrete fix, e.g. "did you mean `credit_score`?". */
  suggestion?: string;
}

/** The template a message id names, and the code it reports under. */
export function messageTemplate(id: string): { code: DiagnosticCode; template: MessageTemplate } | undefined {
  const dot = id.indexOf('.');
  const code = (dot < 0 ? id : id.slice(0, dot)) as DiagnosticCode;
  const info: DiagnosticInfo | undefined = DIAGNOSTIC_CODES[code];
  if (!info) return undefined;
  if (dot >= 0) {
    const variant = info.variants?.[id.slice(dot + 1)];
    return variant ? { code, template: variant } : undefined;
  }
  return info.message === undefined ? undefined : { code, template: { message: info.message, ...(info.help ? { help: info.help } : {}) } };
}

/** Numbers are shown with thousands separators (`4,999`). */
const argText = (a: DiagnosticArg): string => (typeof a === 'number' ? a.toLocaleString('en-US') : a);

/** `{0}` … replaced by the arguments. */
export function fillTemplate(template: string, args: readonly (DiagnosticArg | undefined)[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, n: string) => {
    const arg = args[Number(n)];
    return arg === undefined ? whole : argText(arg);
  });
}

/** The placeholder numbers a template uses, in order of appearance. */
export function placeholdersOf(template: string): number[] {
  return [...template.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1]));
}

/**
 * A diagnostic from the table: `diagnostic('LR200', span, 'credit_scor', didYouMean(…))`.
 * The id is typed, and so is each argument: a free-text message does not compile.
 */
export function diagnostic<I extends MessageId>(id: I, span: Span, ...args: MessageArgs<I>): Diagnostic;
export function diagnostic(id: string, span: Span, ...rest: (DiagnosticArg | undefined)[]): Diagnostic {
  const found = messageTemplate(id);
  if (!found) throw new Error(`no message template ${id}`);
  const { code, template } = found;
  const d: Diagnostic = { code, severity: template.severity ?? DIAGNOSTIC_CODES[code].severity, message: fillTemplate(template.message, rest), span };
  // A help whose argument is missing (no did-you-mean found) is left out.
  if (template.help !== undefined && placeholdersOf(template.help).every((n) => rest[n] !== undefined)) d.suggestion = fillTemplate(template.help, rest);
  return d;
}

/** The diagnostic with a suggestion the call site worked out (did you mean …), if it has one. */
export function suggest(d: Diagnostic, suggestion: string | undefined): Diagnostic {
  return suggestion === undefined ? d : { ...d, suggestion };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sort by file, then position, then code, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.span.file.localeCompare(b.span.file) ||
      a.span.start - b.span.start ||
      a.code.localeCompare(b.code),
  );
}

export interface FormatOptions {
  color?: boolean;
  /** formatDiagnostics shows at most this many (default MAX_DIAGNOSTICS_SHOWN; 0 shows all). */
  maxShown?: number;
}

/**
 * Render one diagnostic the way a compiler does:
 *
 *   rules/solar.route:4:12: error LR200: unknown field `credit_scor`
 *      4 |   accepts credit_scor >= 700
 *        |           ^^^^^^^^^^^
 *     = help: did you mean `credit_score`?
 */
export function formatDiagnostic(d: Diagnostic, source: string | undefined, opts: FormatOptions = {}): string {
  return formatWithLines(d, source?.split(/\r?\n/), opts);
}

function formatWithLines(d: Diagnostic, sourceLines: readonly string[] | undefined, opts: FormatOptions): string {
  const c = picocolors.createColors(opts.color ?? false);
  const red = (s: string) => c.bold(c.red(s));
  const yellow = (s: string) => c.bold(c.yellow(s));
  const bold = c.bold;
  const cyan = c.cyan;
  const sev = d.severity === 'error' ? red(`error ${d.code}`) : yellow(`warning ${d.code}`);
  const lines = [`${bold(`${d.span.file}:${d.span.line}:${d.span.col}`)}: ${sev}: ${d.message}`];
  const text = sourceLines?.[d.span.line - 1];
  if (text !== undefined) {
    const num = String(d.span.line);
    const pad = ' '.repeat(num.length);
    const width =
      d.span.endLine === d.span.line ? Math.max(1, d.span.endCol - d.span.col) : Math.max(1, text.length - d.span.col + 1);
    const caretLine = ' '.repeat(Math.max(0, d.span.col - 1)) + '^'.repeat(width);
    lines.push(`${cyan(`${num} |`)} ${text}`);
    lines.push(`${cyan(`${pad} |`)} ${d.severity === 'error' ? red(caretLine) : yellow(caretLine)}`);
  }
  if (d.suggestion) lines.push(`${cyan('  = help:')} ${d.suggestion}`);
  return lines.join('\n');
}

/**
 * Render diagnostics in source order, at most `maxShown` of them (default
 * MAX_DIAGNOSTICS_SHOWN; 0 shows all); the rest are counted on one last line:
 *
 *   … and 99,890 more errors (10 warnings)
 *
 * The one place the CLI's diagnostic output is capped (`--max-errors`).
 */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: Record<string, string>,
  opts: FormatOptions = {},
): string {
  const sorted = sortDiagnostics(diagnostics);
  const max = opts.maxShown ?? MAX_DIAGNOSTICS_SHOWN;
  const shown = max === 0 ? sorted : sorted.slice(0, max);
  // Each source is split into lines once, not once per diagnostic.
  const lines = new Map<string, readonly string[] | undefined>();
  const linesOf = (file: string) => {
    if (!lines.has(file)) lines.set(file, sources[file]?.split(/\r?\n/));
    return lines.get(file);
  };
  const parts = shown.map((d) => formatWithLines(d, linesOf(d.span.file), opts));
  const hidden = sorted.length - shown.length;
  if (hidden > 0) parts.push(notShownLine(sorted.slice(shown.length)));
  return parts.join('\n\n');
}

function notShownLine(hidden: readonly Diagnostic[]): string {
  const errors = hidden.filter((d) => d.severity === 'error').length;
  const warnings = hidden.length - errors;
  const count = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
  return `… and ${count(errors, 'more error')} (${count(warnings, 'warning')})`;
}

export { editDistance, closestName, didYouMean } from '../core/suggest.js';
