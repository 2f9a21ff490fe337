// Tokens of the rule language. Keywords are tokens of their own with
// `longer_alt: Identifier`, so `router` is a name and `route` a keyword. Type
// names (`state`, `zip`, `email` …), weekdays and cap units are plain
// identifiers checked by the AST builder: they double as field names
// (`state: state`), so they cannot be reserved.

import { createToken, Lexer, type TokenType } from 'chevrotain';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

const keyword = (word: string): TokenType =>
  createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(word), longer_alt: Identifier, label: `\`${word}\`` });

export const Lead = keyword('lead');
export const From = keyword('from');
export const Buyer = keyword('buyer');
export const Flow = keyword('flow');
export const Accepts = keyword('accepts');
export const Price = keyword('price');
export const Cap = keyword('cap');
export const Hours = keyword('hours');
export const Overflow = keyword('overflow');
export const When = keyword('when');
export const Otherwise = keyword('otherwise');
export const Route = keyword('route');
export const Split = keyword('split');
export const Waterfall = keyword('waterfall');
export const Share = keyword('share');
export const Reject = keyword('reject');
export const And = keyword('and');
export const Or = keyword('or');
export const Not = keyword('not');
export const In = keyword('in');
export const Between = keyword('between');
export const True = keyword('true');
export const False = keyword('false');
export const Random = keyword('random');
export const Pii = keyword('pii');
export const Optional = keyword('optional');
export const List = keyword('list');

export const KEYWORDS: readonly TokenType[] = [
  Lead, From, Buyer, Flow, Accepts, Price, Cap, Hours, Overflow, When, Otherwise, Route, Split, Waterfall, Share,
  Reject, And, Or, Not, In, Between, True, False, Random, Pii, Optional, List,
];

export const KEYWORD_WORDS: readonly string[] = KEYWORDS.map((k) => String(k.PATTERN).replace(/^\/|\/$/g, ''));

// Literals. Order matters: longer, more specific shapes first.
export const Money = createToken({ name: 'Money', pattern: /\$\d+(?:\.\d+)?/, label: 'an amount like $45' });
export const Clock = createToken({ name: 'Clock', pattern: /\d{1,2}:\d{2}/, label: 'a time like 09:00' });
export const Duration = createToken({
  name: 'Duration',
  pattern: /\d+(?:\.\d+)?(?:ms|s|m|h|d)(?![A-Za-z0-9_])/,
  label: 'a duration like 500ms',
});
export const Percent = createToken({ name: 'Percent', pattern: /\d+(?:\.\d+)?%/, label: 'a percentage like 60%' });
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /\d+(?:\.\d+)?/, label: 'a number' });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\r\n]|\\.)*"/, label: 'a string' });
/** A string that runs to the end of the line. Turned into a StringLiteral plus an LR101 diagnostic. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\r\n]|\\.)*/ });

export const LCurly = createToken({ name: 'LCurly', pattern: /\{/, label: '`{`' });
export const RCurly = createToken({ name: 'RCurly', pattern: /\}/, label: '`}`' });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: '`[`' });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/, label: '`]`' });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: '`(`' });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: '`)`' });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: '`,`' });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: '`;`' });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: '`:`' });
export const Pipe = createToken({ name: 'Pipe', pattern: /\|/, label: '`|`' });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./, label: '`..`' });
export const Arrow = createToken({ name: 'Arrow', pattern: /->/, label: '`->`' });
export const LessEq = createToken({ name: 'LessEq', pattern: /<=/, label: '`<=`' });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: />=/, label: '`>=`' });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/, label: '`!=`' });
export const EqEq = createToken({ name: 'EqEq', pattern: /==?/, label: '`==`' });
export const Less = createToken({ name: 'Less', pattern: /</, label: '`<`' });
export const Greater = createToken({ name: 'Greater', pattern: />/, label: '`>`' });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: '`+`' });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: '`-`' });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: '`*`' });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: '`/`' });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  Money,
  Clock,
  Duration,
  Percent,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  ...KEYWORDS,
  Identifier,
  LCurly, RCurly, LBracket, RBracket, LParen, RParen, Comma, Semicolon, Colon, Pipe, DotDot, Arrow,
  LessEq, GreaterEq, NotEq, EqEq, Less, Greater, Plus, Minus, Star, Slash,
];

export const ruleLexer = new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false });
