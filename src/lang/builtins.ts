// Names with a fixed meaning in the language besides the builtins: US state
// codes and the field names a lead may not take. The builtins themselves, with
// their signatures, implementations and docs, are one table in src/core/builtins.ts
// (re-exported here for the package's public API).

export {
  BUILTINS,
  isBuiltin,
  type BuiltinDef as BuiltinSignature,
  type BuiltinName,
  type BuiltinType,
} from '../core/builtins.js';

/** US states, DC and the inhabited territories, by USPS code. */
export const US_STATES: readonly string[] = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA',
  'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK',
  'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'DC', 'PR', 'VI', 'GU',
  'AS', 'MP',
];

/** Names with a fixed meaning that a lead field may not take. */
export const RESERVED_FIELD_NAMES: readonly string[] = ['random'];
