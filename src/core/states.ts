// The US states a `state` field holds, and the names a lead field may not take:
// one list each, read by the checker, the plan verifier and the runtime.

/** US states, DC and the inhabited territories, by USPS code. */
export const US_STATES: readonly string[] = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA',
  'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK',
  'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'DC', 'PR', 'VI', 'GU',
  'AS', 'MP',
];

/** Names with a fixed meaning that a lead field may not take. */
export const RESERVED_FIELD_NAMES: readonly string[] = ['random'];

/** Names a JavaScript object gives a meaning of its own: a lead field so named
 *  would set the prototype of every object built from the lead (its plan's
 *  schema among them), so it may not be one. */
export const OBJECT_KEY_NAMES: readonly string[] = ['__proto__'];
