// The grammar, as a Chevrotain CST parser. Built once at module load and reused
// (Chevrotain's own advice: construction does the expensive grammar analysis).
// Error recovery is on, so one run reports every syntax error it can find.
//
// Why one file over ~500 lines: Chevrotain defines a grammar as one parser
// class whose rules are made in its constructor (they call each other through
// `this`, and the grammar is analysed once, as a whole); the routing actions'
// rules already live in ./actions.ts, so what is left here is the declarations,
// the buyer clauses and the expression grammar.

import type { CstNode, IParserErrorMessageProvider, ParserMethod, TokenType, IToken } from 'chevrotain';
import { EOF, tokenMatcher } from './chevrotain.js';
import { MAX_EXPR_DEPTH } from '../core/limits.js';
import { ACTION_RULES, ACTION_SYNTAX, GRAMMAR_DSL, type ActionGrammar, type ParserRuleName } from './actions.js';
import * as T from './lexer.js';
import { TunedCstParser } from './tuned-cst-parser.js';

/** The parser's rules an action's grammar may use. */
const PARSER_RULES_FOR_ACTIONS: ReadonlySet<string> = new Set<ParserRuleName>(['expression', 'additive', 'capList', 'nameList']);

const describe = (tok: IToken): string => (tok.tokenType.name === 'EOF' ? 'the end of the file' : `\`${tok.image}\``);
const labelOf = (t: TokenType): string => t.LABEL ?? t.name;

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${labelOf(expected)} but found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describe(firstRedundant)}: expected ${startsOf('declaration').join(', ')}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const firsts = expectedPathsPerAlt.flatMap((alt) => alt.map((path) => path[0]));
    return `expected ${expectation(ruleName, firsts)} but found ${describe(actual[0]!)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const firsts = expectedIterationPaths.map((path) => path[0]);
    return `expected ${expectation(ruleName, firsts)} but found ${describe(actual[0]!)}`;
  },
};

/**
 * "an action (`route`, `split`, …)": what the rule is called, then the tokens
 * that can start it, as Chevrotain computed them from the grammar, so the list
 * cannot fall behind when a construct is added.
 */
function expectation(ruleName: string, firsts: (TokenType | undefined)[]): string {
  const labels = [...new Set(firsts.filter((t): t is TokenType => t !== undefined).map(labelOf))].join(', ');
  const noun = RULE_NOUNS[ruleName];
  return noun ? `${noun} (${labels})` : labels;
}

/** The labels of the tokens that can start a rule of the grammar. */
function startsOf(ruleName: string): string[] {
  return [...new Set(ruleParser.computeContentAssist(ruleName, []).map((s) => labelOf(s.nextTokenType)))];
}

// What each rule is called in a message; the tokens that start it come from the grammar.
const RULE_NOUNS: Record<string, string> = {
  declaration: 'a declaration',
  fieldType: 'a type',
  expression: 'a value',
  comparison: 'a comparison',
  additive: 'a value',
  primary: 'a value',
  buyerClause: 'a buyer clause',
  rule: 'a rule',
  action: 'an action',
  capList: 'a cap like 100/h',
  capSpec: 'a cap like 100/h',
  compareOp: 'a comparison',
  valueTest: 'a test on the answer',
  bidEntry: 'an entry like `price "bid.amount"`',
};

// The alternatives of the rules every expression operand and buyer clause
// passes through (`primary`, `buyerClause`, …) are arrays made once, in the
// `…Alternatives` fields after each rule, not literals inside it: a literal is
// an array, an object and a closure per alternative on every call, which on a
// 100,000-buyer file was millions of allocations (Chevrotain's own advice).
export class RuleParser extends TunedCstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: messages, nodeLocationTracking: 'full' });
    this.performSelfAnalysis();
  }

  public file = this.RULE('file', () => {
    this.MANY(() => this.SUBRULE(this.declaration));
  });

  public declaration = this.RULE('declaration', () => {
    this.OR(this.declarationAlternatives);
  });
  private readonly declarationAlternatives = [
    { ALT: () => this.SUBRULE(this.leadDecl) },
    { ALT: () => this.SUBRULE(this.buyerDecl) },
    { ALT: () => this.SUBRULE(this.flowDecl) },
    { ALT: () => this.SUBRULE(this.alertDecl) },
  ];

  // ------------------------------------------------------------ lead schema

  public leadDecl = this.RULE('leadDecl', () => {
    this.CONSUME(T.Lead);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.MANY(() => this.SUBRULE(this.fieldDecl));
          this.CONSUME(T.RCurly);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.From);
          this.CONSUME(T.StringLiteral);
        },
      },
    ]);
  });

  public fieldDecl = this.RULE('fieldDecl', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.fieldType);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.CONSUME(T.Pii) },
        { ALT: () => this.CONSUME(T.Optional) },
        {
          // `email: email not pii`: an e-mail or phone field that is explicitly not personal data.
          ALT: () => {
            this.CONSUME(T.Not);
            this.CONSUME2(T.Pii);
          },
        },
      ]),
    );
  });

  public fieldType = this.RULE('fieldType', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.StringLiteral);
          this.MANY(() => {
            this.CONSUME(T.Pipe);
            this.CONSUME2(T.StringLiteral);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.List);
          this.SUBRULE(this.fieldType);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION(() => this.SUBRULE(this.range));
        },
      },
    ]);
  });

  public range = this.RULE('range', () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.NumberLiteral);
    this.CONSUME(T.DotDot);
    this.OPTION2(() => this.CONSUME2(T.Minus));
    this.CONSUME2(T.NumberLiteral);
  });

  // ------------------------------------------------------------ buyers

  public buyerDecl = this.RULE('buyerDecl', () => {
    this.CONSUME(T.Buyer);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.buyerClause));
    this.CONSUME(T.RCurly);
  });

  public buyerClause = this.RULE('buyerClause', () => {
    this.OR(this.buyerClauseAlternatives);
  });
  private readonly buyerClauseAlternatives = [
    { ALT: () => { this.CONSUME(T.Accepts); this.SUBRULE(this.expression); } },
    { ALT: () => { this.CONSUME(T.Price); this.SUBRULE2(this.expression); } },
    { ALT: () => { this.CONSUME(T.Cap); this.SUBRULE(this.capList); } },
    { ALT: () => { this.CONSUME(T.Hours); this.SUBRULE(this.hoursSpec); } },
    { ALT: () => { this.CONSUME(T.Overflow); this.CONSUME(T.Identifier); } },
    { ALT: () => { this.CONSUME(T.Prefers); this.SUBRULE3(this.expression); this.CONSUME(T.Weight); this.CONSUME(T.NumberLiteral); } },
    { ALT: () => { this.CONSUME(T.Relationship); this.CONSUME2(T.NumberLiteral); } },
    {
      ALT: () => {
        this.CONSUME(T.Holidays);
        this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.StringLiteral) });
      },
    },
    { ALT: () => this.SUBRULE(this.closedClause) },
    {
      ALT: () => {
        this.CONSUME(T.Dedupe);
        this.SUBRULE(this.nameList);
        this.CONSUME(T.Within);
        this.CONSUME(T.Duration);
      },
    },
    { ALT: () => { this.CONSUME(T.Requires); this.SUBRULE2(this.nameList); } },
    { ALT: () => this.SUBRULE(this.pingClause) },
    { ALT: () => this.SUBRULE(this.bidClause) },
    { ALT: () => this.SUBRULE(this.postClause) },
    { ALT: () => this.SUBRULE(this.saleClause) },
    { ALT: () => this.SUBRULE(this.pixelClause) },
    { ALT: () => { this.CONSUME(T.Delay); this.CONSUME2(T.Duration); } },
    { ALT: () => this.SUBRULE(this.batchClause) },
    {
      ALT: () => {
        this.CONSUME(T.Breaker);
        this.CONSUME3(T.NumberLiteral);
        this.CONSUME(T.Cooldown);
        this.CONSUME3(T.Duration);
      },
    },
  ];

  public nameList = this.RULE('nameList', () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier) });
  });

  /** `when closed skip | hold | send Other` */
  public closedClause = this.RULE('closedClause', () => {
    this.CONSUME(T.When);
    this.CONSUME(T.Closed);
    this.OR([
      { ALT: () => this.CONSUME(T.Skip) },
      { ALT: () => this.CONSUME(T.Hold) },
      { ALT: () => { this.CONSUME(T.Send); this.CONSUME(T.Identifier); } },
    ]);
  });

  public templateRef = this.RULE('templateRef', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Json) },
      { ALT: () => this.CONSUME(T.Xml) },
      { ALT: () => this.CONSUME(T.Form) },
      { ALT: () => this.CONSUME(T.Text) },
    ]);
    this.CONSUME(T.StringLiteral);
  });

  public pingClause = this.RULE('pingClause', () => {
    this.CONSUME(T.Ping);
    this.OPTION(() => this.CONSUME(T.Identifier, { LABEL: 'method' }));
    this.CONSUME(T.StringLiteral);
    this.MANY(() =>
      this.OR([
        { ALT: () => { this.CONSUME(T.Timeout); this.CONSUME(T.Duration); } },
        { ALT: () => { this.CONSUME(T.Fields); this.SUBRULE(this.nameList); } },
        { ALT: () => this.SUBRULE(this.templateRef) },
        { ALT: () => this.SUBRULE(this.headerOption) },
      ]),
    );
  });

  public bidClause = this.RULE('bidClause', () => {
    this.CONSUME(T.Bid);
    this.SUBRULE(this.answerMapping);
  });

  /** `sale [format] entries`: how a post's answer is read. */
  public saleClause = this.RULE('saleClause', () => {
    this.CONSUME(T.Sale);
    this.SUBRULE(this.answerMapping);
  });

  /** `[json|xml|form|text] entry, entry …`, shared by `bid` and `sale`. The
   *  format is a format word followed by an entry's name: `bid text "p"` is an
   *  entry keyed `text`. */
  public answerMapping = this.RULE('answerMapping', () => {
    this.OPTION({
      GATE: () => ANSWER_FORMATS.has(this.LA(1).tokenType) && tokenMatcher(this.LA(2), T.Identifier),
      DEF: () =>
        this.OR([
          { ALT: () => this.CONSUME(T.Json) },
          { ALT: () => this.CONSUME(T.Xml) },
          { ALT: () => this.CONSUME(T.Form) },
          { ALT: () => this.CONSUME(T.Text) },
        ]),
    });
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.bidEntry) });
  });

  /** `price "p"`, `accepted "p" == v`, `carry bid_id "p"`, `rejection_words ["a", "b"]`. */
  public bidEntry = this.RULE('bidEntry', () => {
    this.CONSUME(T.Identifier);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.StringLiteral, { LABEL: 'word' }) });
          this.CONSUME(T.RBracket);
        },
      },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME2(T.Identifier, { LABEL: 'name' }));
          this.CONSUME2(T.StringLiteral);
          this.OPTION2(() => this.SUBRULE(this.valueTest));
        },
      },
    ]);
  });

  /** `== v` or `in [a, b]`, then `ignoring case`: a test on a value in an answer. */
  public valueTest = this.RULE('valueTest', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.EqEq); this.SUBRULE(this.primary); } },
      { ALT: () => { this.CONSUME(T.In); this.SUBRULE(this.listLiteral); } },
    ]);
    this.OPTION(() => {
      this.CONSUME(T.Ignoring);
      this.CONSUME(T.Case);
    });
  });

  public postClause = this.RULE('postClause', () => {
    this.OPTION(() => this.CONSUME(T.Backup));
    this.CONSUME(T.Post);
    this.OPTION2(() => this.CONSUME(T.Identifier, { LABEL: 'method' }));
    this.CONSUME(T.StringLiteral);
    this.MANY(() =>
      this.OR([
        { ALT: () => { this.CONSUME(T.Timeout); this.CONSUME(T.Duration, { LABEL: 'timeout' }); } },
        { ALT: () => { this.CONSUME(T.Retry); this.CONSUME(T.NumberLiteral); } },
        { ALT: () => { this.CONSUME(T.Backoff); this.CONSUME2(T.Duration, { LABEL: 'backoff' }); } },
        {
          ALT: () => {
            this.CONSUME(T.Accepted);
            this.CONSUME2(T.StringLiteral, { LABEL: 'acceptedPath' });
            this.SUBRULE(this.valueTest);
          },
        },
        { ALT: () => this.SUBRULE(this.templateRef) },
        { ALT: () => this.SUBRULE(this.headerOption) },
      ]),
    );
  });

  /** `header "Authorization" "Bearer {{secret.TOKEN}}"` on a ping or a post. */
  public headerOption = this.RULE('headerOption', () => {
    this.CONSUME(T.Header);
    this.CONSUME(T.StringLiteral, { LABEL: 'name' });
    this.CONSUME2(T.StringLiteral, { LABEL: 'value' });
  });

  public pixelClause = this.RULE('pixelClause', () => {
    this.CONSUME(T.Pixel);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(T.On);
    this.SUBRULE(this.nameList);
    this.OPTION(() => {
      this.CONSUME(T.When);
      this.SUBRULE(this.expression);
    });
  });

  public batchClause = this.RULE('batchClause', () => {
    this.CONSUME(T.Batch);
    this.SUBRULE(this.batchTrigger);
    this.OPTION(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.batchTrigger);
    });
    this.CONSUME(T.Identifier); // csv | json
    this.CONSUME(T.To);
    this.CONSUME(T.StringLiteral);
  });

  public batchTrigger = this.RULE('batchTrigger', () => {
    this.OR(this.batchTriggerAlternatives);
  });
  private readonly batchTriggerAlternatives = [{ ALT: () => this.CONSUME(T.NumberLiteral) }, { ALT: () => this.CONSUME(T.Duration) }];

  public capList = this.RULE('capList', () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.capSpec) });
  });

  public capSpec = this.RULE('capSpec', () => {
    this.OR(this.capSpecAlternatives);
    this.CONSUME(T.Slash);
    this.CONSUME(T.Identifier);
  });
  private readonly capSpecAlternatives = [{ ALT: () => this.CONSUME(T.NumberLiteral) }, { ALT: () => this.CONSUME(T.Money) }];

  public hoursSpec = this.RULE('hoursSpec', () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.dayRange) });
    this.CONSUME(T.Clock);
    this.CONSUME(T.Minus);
    this.CONSUME2(T.Clock);
    this.CONSUME(T.StringLiteral);
  });

  public dayRange = this.RULE('dayRange', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Minus);
      this.CONSUME2(T.Identifier);
    });
  });

  // ------------------------------------------------------------ flows

  public flowDecl = this.RULE('flowDecl', () => {
    this.CONSUME(T.Flow);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.rule));
    this.CONSUME(T.RCurly);
  });

  public rule = this.RULE('rule', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.When); this.SUBRULE(this.expression); this.SUBRULE(this.action); } },
      { ALT: () => { this.CONSUME(T.Otherwise); this.SUBRULE2(this.action); } },
      { ALT: () => this.SUBRULE3(this.action) },
    ]);
  });

  // ------------------------------------------------------------ alerts

  // `alert LowBids when bid_rate(Premium) < 20% over 1h`: one measure of
  // src/core/alert-metrics.ts, for a buyer or (without one) for all, compared
  // with a threshold over a window.
  public alertDecl = this.RULE('alertDecl', () => {
    this.CONSUME(T.Alert);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.When);
    this.CONSUME2(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.CONSUME3(T.Identifier);
      this.CONSUME(T.RParen);
    });
    this.OR([
      { ALT: () => this.CONSUME(T.Less) },
      { ALT: () => this.CONSUME(T.LessEq) },
      { ALT: () => this.CONSUME(T.Greater) },
      { ALT: () => this.CONSUME(T.GreaterEq) },
    ]);
    this.OR2([
      { ALT: () => this.CONSUME(T.Percent) },
      { ALT: () => this.CONSUME(T.Duration) },
      { ALT: () => this.CONSUME(T.Money) },
      { ALT: () => this.CONSUME(T.NumberLiteral) },
    ]);
    this.CONSUME(T.Over);
    this.CONSUME2(T.Duration);
  });

  // The actions' rules are declared with their syntax in ./actions.ts, one
  // entry per action; `action` offers each entry's rule, in the table's order.
  public action = this.RULE('action', () => {
    this.OR(this.actionAlternatives);
  });

  /** The rules ./actions.ts adds, by name, defined here so the grammar keeps its order. */
  private readonly actionRules: ReadonlyMap<string, ParserMethod<[], CstNode>> = this.defineActionRules();

  private readonly actionAlternatives = Object.values(ACTION_SYNTAX).map((s) => {
    const rule = this.actionRules.get(s.rule)!;
    return { ALT: () => this.SUBRULE(rule) };
  });

  private defineActionRules(): Map<string, ParserMethod<[], CstNode>> {
    // Chevrotain's DSL is protected: the actions' rules get it through this
    // object, every method of GRAMMAR_DSL and its numbered variants forwarded.
    const self = this as unknown as Record<string, (...args: unknown[]) => unknown>;
    const lent: Record<string, unknown> = {
      rule: (name: string) => {
        const rule = rules.get(name) ?? (PARSER_RULES_FOR_ACTIONS.has(name) ? (self[name] as unknown as ParserMethod<[], CstNode>) : undefined);
        if (rule === undefined) throw new Error(`an action's grammar uses an unknown rule '${name}'`);
        return rule;
      },
    };
    for (const base of GRAMMAR_DSL) {
      for (const suffix of ['', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
        const name = base + suffix;
        lent[name] = (...args: unknown[]) => self[name]!.apply(this, args);
      }
    }
    const g = lent as ActionGrammar;
    const rules = new Map<string, ParserMethod<[], CstNode>>();
    for (const [name, grammar] of ACTION_RULES) rules.set(name, this.RULE(name, () => grammar(g)));
    return rules;
  }

  // ------------------------------------------------------------ expressions

  // One rule holds a whole chain of `and` and `or` with its `not`s, and one a
  // whole chain of `+ - * /` with its signs: the AST builder applies the
  // precedence (and before or, `* /` before `+ -`). A rule a precedence level
  // made a CST node at every level for every operand, most of a rule file's
  // nodes; grammar/REFERENCE.md gives the levels. `not not … x` is a loop, not
  // recursion, so no run of them can exhaust the stack; the AST builder nests
  // them and limits the depth. An operand of the chain is a value and, if it
  // is compared, the comparison's rest (`== x`) in a node of its own.
  public expression = this.RULE('expression', () => {
    this.MANY(() => this.CONSUME(T.Not));
    this.SUBRULE(this.additive);
    this.OPTION(() => this.SUBRULE(this.comparison));
    this.MANY2(() => {
      this.OR(this.logicalAlternatives);
      this.MANY3(() => this.CONSUME2(T.Not));
      this.SUBRULE2(this.additive);
      this.OPTION2(() => this.SUBRULE2(this.comparison));
    });
  });
  private readonly logicalAlternatives = [{ ALT: () => this.CONSUME(T.And) }, { ALT: () => this.CONSUME(T.Or) }];

  /** What follows the left side of a comparison: `== x`, `not in [..]`, `within 5m`, `between a and b`. */
  public comparison = this.RULE('comparison', () => {
    this.OR(this.comparisonAlternatives);
  });
  private readonly comparisonAlternatives = [
    { ALT: () => { this.SUBRULE(this.compareOp); this.SUBRULE2(this.additive); } },
    { ALT: () => { this.OPTION2(() => this.CONSUME(T.Not)); this.CONSUME(T.In); this.SUBRULE3(this.additive); } },
    { ALT: () => { this.CONSUME(T.Within); this.SUBRULE6(this.additive); } },
    {
      ALT: () => {
        this.CONSUME(T.Between);
        this.SUBRULE4(this.additive);
        this.CONSUME(T.And);
        this.SUBRULE5(this.additive);
      },
    },
  ];

  public compareOp = this.RULE('compareOp', () => {
    this.OR(this.compareOpAlternatives);
  });
  private readonly compareOpAlternatives = [
    { ALT: () => this.CONSUME(T.EqEq) },
    { ALT: () => this.CONSUME(T.NotEq) },
    { ALT: () => this.CONSUME(T.LessEq) },
    { ALT: () => this.CONSUME(T.GreaterEq) },
    { ALT: () => this.CONSUME(T.Less) },
    { ALT: () => this.CONSUME(T.Greater) },
  ];

  // The signs of each operand are this rule's too (labelled `sign`): `- - … x`
  // is a loop, not recursion, so no run of them can exhaust the stack.
  public additive = this.RULE('additive', () => {
    this.MANY(() => this.CONSUME(T.Minus, { LABEL: 'sign' }));
    this.SUBRULE(this.primary);
    this.MANY2(() => {
      this.OR(this.arithmeticAlternatives);
      this.MANY3(() => this.CONSUME2(T.Minus, { LABEL: 'sign' }));
      this.SUBRULE2(this.primary);
    });
  });
  private readonly arithmeticAlternatives = [
    { ALT: () => this.CONSUME(T.Plus) },
    { ALT: () => this.CONSUME3(T.Minus) },
    { ALT: () => this.CONSUME(T.Star) },
    { ALT: () => this.CONSUME(T.Slash) },
  ];

  public primary = this.RULE('primary', () => {
    this.OR(this.primaryAlternatives);
  });
  private readonly primaryAlternatives = [
    { ALT: () => this.CONSUME(T.NumberLiteral) },
    { ALT: () => this.CONSUME(T.Money) },
    { ALT: () => this.CONSUME(T.Duration) },
    { ALT: () => this.CONSUME(T.Percent) },
    { ALT: () => this.CONSUME(T.StringLiteral) },
    { ALT: () => this.CONSUME(T.True) },
    { ALT: () => this.CONSUME(T.False) },
    { ALT: () => this.CONSUME(T.Random) },
    // A name, dotted (`bid.price`), or a call: part of this rule rather than a
    // rule of its own, one CST node fewer for every name in a file.
    {
      ALT: () => {
        this.OR2(this.nameAlternatives);
        this.MANY(() => {
          this.CONSUME(T.Dot);
          this.CONSUME2(T.Identifier);
        });
        this.OPTION(() => {
          const open = this.CONSUME2(T.LParen);
          this.nested(open, () => this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.expression) }));
          this.CONSUME2(T.RParen);
        });
      },
    },
    { ALT: () => this.SUBRULE(this.listLiteral) },
    {
      ALT: () => {
        const open = this.CONSUME(T.LParen);
        this.nested(open, () => this.SUBRULE(this.expression));
        this.CONSUME(T.RParen);
      },
    },
  ];

  private readonly nameAlternatives = [
    { ALT: () => this.CONSUME(T.Identifier) },
    // `buyer.acceptance` in an auction's `rank by`: the keyword as a namespace.
    { GATE: () => this.LA(2).tokenType === T.Dot, ALT: () => this.CONSUME(T.Buyer) },
  ];

  public listLiteral = this.RULE('listLiteral', () => {
    const open = this.CONSUME(T.LBracket);
    this.nested(open, () => this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) }));
    this.CONSUME(T.RBracket);
  });

  // ------------------------------------------------------------ nesting guard

  /** Brackets open around the point being parsed (parentheses, lists, calls). */
  private nesting = 0;
  /** Start offsets of the brackets whose contents were skipped, too deep to parse. */
  private readonly cut = new Set<number>();

  /**
   * Parse what is inside a bracket, unless that would nest deeper than
   * MAX_EXPR_DEPTH: then the contents are skipped flat up to the matching
   * closer, the bracket is recorded in `cutBrackets`, and the AST builder
   * reports the expression as too deep. Chevrotain is recursive descent, so
   * this is what keeps 100,000 nested parentheses off the call stack.
   */
  private nested(open: IToken, parseInside: () => void): void {
    if (this.nesting >= MAX_EXPR_DEPTH && !this.RECORDING_PHASE) {
      this.cut.add(open.startOffset);
      this.skipToCloser();
      return;
    }
    this.nesting++;
    try {
      parseInside();
    } finally {
      this.nesting--;
    }
  }

  private skipToCloser(): void {
    for (let open = 0; ; ) {
      const next = this.LA(1);
      if (next.tokenType === EOF) return;
      if (OPENERS.has(next.tokenType)) open++;
      else if (CLOSERS.has(next.tokenType) && open-- === 0) return;
      this.SKIP_TOKEN();
    }
  }

  /** The brackets cut short by the nesting guard in the last parse. */
  get cutBrackets(): ReadonlySet<number> {
    return this.cut;
  }

  override reset(): void {
    super.reset();
    this.nesting = 0;
    this.cut?.clear();
  }
}

/** The words that name how an answer is read (`bid xml …`). */
const ANSWER_FORMATS: ReadonlySet<TokenType> = new Set([T.Json, T.Xml, T.Form, T.Text]);

const OPENERS: ReadonlySet<TokenType> = new Set([T.LParen, T.LBracket, T.LCurly]);
const CLOSERS: ReadonlySet<TokenType> = new Set([T.RParen, T.RBracket, T.RCurly]);

/** The one parser instance. Parsing resets it through `parser.input = tokens`. */
export const ruleParser = new RuleParser();
