// The fixed set of built-in functions a rule file may call. The checker types
// calls against these signatures; the runtime implements each by name. There is
// no way for a rule file to define a function: the language is not
// Turing-complete.

/** Argument and result types as the checker understands them. */
export type BuiltinType =
  | 'number' // int, number, money, percent and duration all accept 'number'
  | 'int'
  | 'string' // string-like: string, enum, state, zip, email, phone
  | 'bool'
  | 'time'
  | 'duration'
  | 'list'
  | 'zip'
  | 'any';

export interface BuiltinSignature {
  params: BuiltinType[];
  result: BuiltinType;
  doc: string;
}

export const BUILTINS = {
  zip3: { params: ['zip'], result: 'string', doc: 'The first three digits of a ZIP code (the sectional centre).' },
  lower: { params: ['string'], result: 'string', doc: 'Lower-case a string.' },
  upper: { params: ['string'], result: 'string', doc: 'Upper-case a string.' },
  len: { params: ['any'], result: 'int', doc: 'Length of a string or list; 0 for a missing field.' },
  abs: { params: ['number'], result: 'number', doc: 'Absolute value.' },
  min: { params: ['number', 'number'], result: 'number', doc: 'The smaller of two numbers.' },
  max: { params: ['number', 'number'], result: 'number', doc: 'The larger of two numbers.' },
  round: { params: ['number'], result: 'number', doc: 'Round to the nearest integer.' },
  hour: { params: ['string'], result: 'int', doc: 'Hour of day (0..23) at routing time in the given IANA time zone.' },
  weekday: {
    params: ['string'],
    result: 'int',
    doc: 'ISO weekday (1 = Monday … 7 = Sunday) at routing time in the given IANA time zone.',
  },
  age: { params: ['time'], result: 'duration', doc: 'Time elapsed between a time field and routing time.' },
  exists: { params: ['any'], result: 'bool', doc: 'True when the lead carries a value for the field.' },
  contains: {
    params: ['any', 'any'],
    result: 'bool',
    doc: 'True when a list holds the value, or a string holds the substring.',
  },
  distance: {
    params: ['zip', 'zip'],
    result: 'number',
    doc: 'Miles between the centroids of two US ZIP codes (great-circle); missing for an unknown ZIP.',
  },
  zip_timezone: {
    params: ['zip'],
    result: 'string',
    doc: 'The IANA time zone of a US ZIP code ("America/Chicago"); missing for an unknown ZIP.',
  },
  zip_state: {
    params: ['zip'],
    result: 'string',
    doc: 'The USPS state code of a US ZIP code ("TX"); missing for an unknown ZIP.',
  },
} as const satisfies Record<string, BuiltinSignature>;

export type BuiltinName = keyof typeof BUILTINS;

export function isBuiltin(name: string): name is BuiltinName {
  return Object.prototype.hasOwnProperty.call(BUILTINS, name);
}

/** US states, DC and the inhabited territories, by USPS code. */
export const US_STATES: readonly string[] = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA',
  'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK',
  'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'DC', 'PR', 'VI', 'GU',
  'AS', 'MP',
];

/** Names with a fixed meaning that a lead field may not take. */
export const RESERVED_FIELD_NAMES: readonly string[] = ['random'];
