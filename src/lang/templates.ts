// The vocabulary of payload and pixel templates is one table in
// src/core/template-helpers.ts (helpers with arity, doc and implementation; the
// values a template may read); re-exported here for the package's public API.

export {
  TEMPLATE_BLOCK_HELPERS,
  TEMPLATE_HELPER_NAMES,
  TEMPLATE_HELPERS,
  TEMPLATE_ROOTS,
  TEMPLATE_VALUES,
} from '../core/template-helpers.js';
