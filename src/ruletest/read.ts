// Reading a test file: YAML (JSON is read by the same parser, being YAML) into
// plain data, with each value's line and column kept for messages. The parse is
// safe: the core schema only (no custom tags: an unknown tag is an error, not a
// call), aliases bounded, no merge keys. Then the shape is checked against the
// schema of spec.ts; every problem is reported as `file:line:col: path: message`.

import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { TestFileSchema, type TestFileJson } from './spec.js';

/** A JSON path into the test file: keys and indices. */
export type Path = readonly (string | number)[];

export interface TestFile {
  /** The file as it is shown (relative to the working directory). */
  file: string;
  json: TestFileJson;
  /** `file:line:col` of the value at `path` (of its key, with `key: true`); the nearest enclosing value when absent. */
  where(path: Path, key?: boolean): string;
}

/** A test file that cannot be read: every problem, each positioned. */
export class TestFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'TestFileError';
  }
}

/** Aliases a file may expand: enough for shared leads, not for a "billion laughs". */
const MAX_ALIASES = 200;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateShape = ajv.compile<TestFileJson>(TestFileSchema);

export function readTestFile(text: string, file: string): TestFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'core', merge: false, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  const syntax = [...doc.errors, ...doc.warnings].map((e) => `${at(e.pos[0])}: ${e.message.split('\n')[0]}`);
  if (syntax.length > 0) throw new TestFileError(syntax);
  let json: unknown;
  try {
    json = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new TestFileError([`${file}: ${(err as Error).message}`]);
  }
  const where = (path: Path, key = false) => at(offsetOf(doc, path, key));
  if (json === null || json === undefined) throw new TestFileError([`${file}:1:1: the test file is empty: give it \`cases\` or \`distributions\``]);
  if (!validateShape(json)) throw new TestFileError(describeErrors(validateShape.errors ?? [], where));
  const valid = json;
  if ((valid.cases ?? []).length === 0 && (valid.distributions ?? []).length === 0) {
    throw new TestFileError([`${where([])}: the test file has no \`cases\` and no \`distributions\``]);
  }
  return { file, json: valid, where };
}

/** The offset of the node at `path` (its key's, with `key`), or of the deepest node on the way. */
function offsetOf(doc: Document, path: Path, key: boolean): number {
  let node: Node | null = doc.contents;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length && node; i++) {
    const step = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      const keyNode = pair.key as Node;
      offset = keyNode.range?.[0] ?? offset;
      if (key && i === path.length - 1) return offset;
      node = (pair.value as Node | null) ?? null;
    } else if (isSeq(node) && typeof step === 'number') {
      node = (node.items[step] as Node | undefined) ?? null;
    } else break;
    if (node?.range) offset = node.range[0];
  }
  return offset;
}

/** ajv's instance path ("/cases/2/expect/buyers") as segments, and as the user reads it ("cases[2].expect.buyers"). */
function segments(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function dotted(path: Path): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out === '' ? 'the file' : out;
}

/** What each kind of schema error means for a test file, said once per place. */
function describeErrors(errors: ErrorObject[], where: (path: Path, key?: boolean) => string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  // A union (anyOf) reports one error per member: say once what the place takes.
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const underUnion = (p: string) => [...unions].find((u) => p === u || p.startsWith(`${u}/`));
  for (const e of errors) {
    const union = underUnion(e.instancePath);
    let path = segments(union ?? e.instancePath);
    let key = false;
    let message: string;
    const params = e.params as Record<string, unknown>;
    if (union !== undefined) message = unionMessage(path);
    else if (e.keyword === 'additionalProperties') {
      path = [...path, String(params.additionalProperty)];
      key = true;
      message = `unknown key \`${String(params.additionalProperty)}\`${keyHint(path)}`;
    } else if (e.keyword === 'required') message = `missing \`${String(params.missingProperty)}\``;
    else if (e.keyword === 'minProperties') message = 'must not be empty';
    else if (e.keyword === 'pattern') message = 'is not a cap: write LIMIT/UNIT (`100/h`, `$5000/day`)';
    else message = e.message ?? 'is invalid';
    const line = `${where(path, key)}: ${dotted(path)}: ${message}`;
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}

/** The places that take one of several shapes, by their last key. */
function unionMessage(path: Path): string {
  const parent = path.length >= 2 ? path[path.length - 2] : undefined;
  const last = path[path.length - 1];
  if (parent === 'caps') return 'must be `full`, a count (every counter of the buyer at it), or counts per cap (`100/h: 100`)';
  if (parent === 'bids') return 'must be a price, `none` (no bid), or `{ price: 60, exclusive: true }`';
  if (last === 'buyers') return 'must be a list of buyer names, or `none`';
  if (last === 'seed') return 'must be a number or a text';
  if (last === 'status') return 'must be one of routed, unrouted, rejected, held, auction';
  return 'is not one of the shapes this key takes (docs/TESTING.md)';
}

/** A did-you-mean for the keys people mistype most. */
function keyHint(path: Path): string {
  const key = String(path[path.length - 1]);
  const hints: Record<string, string> = { expected: 'expect', buyer: 'buyers', time: 'at', cap: 'caps', leads: 'lead', test: 'cases', tests: 'cases' };
  const hint = hints[key];
  return hint !== undefined ? ` (did you mean \`${hint}\`?)` : '';
}
