// Time zones are defined once, in src/core/zones.ts.
export { closestZone, isValidZone } from '../core/zones.js';
