// Tokens of the rule language, but for the keywords that start a routing
// action, which src/lang/actions.ts declares with the action's grammar (with
// `keyword` and `soft` from here); ./lexer.ts puts them all together. Keywords are tokens of their own with
// `longer_alt: Identifier`, so `router` is a name and `route` a keyword. Type
// names (`state`, `zip`, `email` …), weekdays and cap units are plain
// identifiers checked by the AST builder: they double as field names
// (`state: state`), so they cannot be reserved.

import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

export const keyword = (word: string): TokenType =>
  createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(word), longer_alt: Identifier, label: `\`${word}\`` });

export const Lead = keyword('lead');
export const From = keyword('from');
export const Buyer = keyword('buyer');
export const Flow = keyword('flow');
export const Accepts = keyword('accepts');
export const Cap = keyword('cap');
export const Hours = keyword('hours');
export const Overflow = keyword('overflow');
export const When = keyword('when');
export const Otherwise = keyword('otherwise');
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

// Soft keywords: words with a meaning in one place that stay usable as names
// elsewhere (a field may be called `timeout` or `weight`). They belong to the
// Identifier category, so wherever a name is expected they match as one.
export const soft = (word: string): TokenType =>
  createToken({
    name: `Kw_${word}`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Identifier],
    label: `\`${word}\``,
  });

export const Price = soft('price');
export const Prefers = soft('prefers');
export const Weight = soft('weight');
export const Relationship = soft('relationship');
export const Holidays = soft('holidays');
export const Closed = soft('closed');
export const Dedupe = soft('dedupe');
export const Within = soft('within');
export const Requires = soft('requires');
export const Ping = soft('ping');
export const Post = soft('post');
export const Bid = soft('bid');
export const Pixel = soft('pixel');
export const Delay = soft('delay');
export const Batch = soft('batch');
export const Breaker = soft('breaker');
export const Cooldown = soft('cooldown');
export const Backup = soft('backup');
export const Fair = soft('fair');
export const By = soft('by');
export const Over = soft('over');
export const Premium = soft('premium');
export const With = soft('with');
export const Then = soft('then');
export const After = soft('after');
export const Timeout = soft('timeout');
export const Retry = soft('retry');
export const Backoff = soft('backoff');
export const Fields = soft('fields');
export const Accepted = soft('accepted');
export const Header = soft('header');
export const On = soft('on');
export const Exclusive = soft('exclusive');
export const Shared = soft('shared');
export const Floor = soft('floor');
export const Min = soft('min');
export const Max = soft('max');
export const Top = soft('top');
export const To = soft('to');
export const Json = soft('json');
export const Xml = soft('xml');
export const Form = soft('form');
export const Text = soft('text');
export const Skip = soft('skip');
export const Hold = soft('hold');
export const Send = soft('send');
export const Else = soft('else');
export const Sale = soft('sale');
export const Ignoring = soft('ignoring');
export const Case = soft('case');
export const Alert = soft('alert');

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
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: '`.`' });
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
/** Comments are not skipped but set aside in their own group, for a formatter (see Trivia in ast.ts). */
export const COMMENT_GROUP = 'comments';
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: COMMENT_GROUP });

