// Chevrotain's CST parser with its CST nodes made in shapes V8 keeps compact.
//
// Two of Chevrotain's internal methods (tree_builder.js, Chevrotain 11) are
// replaced by versions that build the same nodes with the same values:
//
// - A node's `children` is an object with no inherited keys, as Chevrotain's
//   `Object.create(null)` is, but made by a constructor: V8 keeps those in
//   fast mode, where reading a child, listing the children and the node itself
//   cost a fraction of a dictionary-mode object's.
// - A node's location starts with `undefined` positions where Chevrotain has
//   NaN for "no token yet" (its `isNaN` tests, and the AST builder's
//   `Number.isFinite`, read both alike). A NaN makes V8 store the positions of
//   every node, and of every span copied from them, as boxed numbers.
//
// test/lang/tuned-chevrotain.test.ts fails if a Chevrotain upgrade renames
// either method, instead of this tuning silently stopping.

import type { CstNode, CstNodeLocation } from 'chevrotain';
import { CstParser } from './chevrotain.js';

/** A CST node's children: keyed by token type or rule name, nothing inherited. */
function CstChildren(this: object): void {}
CstChildren.prototype = Object.create(null) as object;

/** A CST node's location before its first token: every position unknown. */
class NodeLocation implements CstNodeLocation {
  // `undefined` rather than NaN: see the top of this file.
  startOffset = undefined as unknown as number;
  startLine: number | undefined = undefined;
  startColumn: number | undefined = undefined;
  endOffset: number | undefined = undefined;
  endLine: number | undefined = undefined;
  endColumn: number | undefined = undefined;
}

/** The members of Chevrotain's parser these methods use; not in its typings. */
interface TreeBuilderInternals {
  CST_STACK: CstNode[];
  setInitialNodeLocation(node: { location?: CstNodeLocation }): void;
}

export abstract class TunedCstParser extends CstParser {
  /** Chevrotain's `cstInvocationStateUpdate`: a new node for a rule being entered. */
  protected cstInvocationStateUpdate(fullRuleName: string): void {
    const self = this as unknown as TreeBuilderInternals;
    const node: { name: string; children: CstNode['children']; location?: CstNodeLocation } = {
      name: fullRuleName,
      children: new (CstChildren as unknown as new () => CstNode['children'])(),
    };
    self.setInitialNodeLocation(node);
    self.CST_STACK.push(node as CstNode);
  }

  /** Chevrotain's `setInitialNodeLocationFullRecovery`: the location of a node
   *  not yet holding a token, with recovery on and location tracking 'full'. */
  protected setInitialNodeLocationFullRecovery(node: { location?: CstNodeLocation }): void {
    node.location = new NodeLocation();
  }
}

/** The Chevrotain methods replaced here, for the test that they still exist. */
export const REPLACED_CST_METHODS = ['cstInvocationStateUpdate', 'setInitialNodeLocationFullRecovery'] as const;
