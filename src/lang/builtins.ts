// The language's fixed names, re-exported for the package's public API: the
// builtins (one table in src/core/builtins.ts, with signatures, implementations
// and docs), US state codes and reserved field names (src/core/states.ts).

export {
  BUILTINS,
  isBuiltin,
  type BuiltinDef as BuiltinSignature,
  type BuiltinName,
  type BuiltinType,
} from '../core/builtins.js';

export { US_STATES, RESERVED_FIELD_NAMES } from '../core/states.js';
