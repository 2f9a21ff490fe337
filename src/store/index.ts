// Cap stores. The CapStore interface lives with the runtime that uses it.
export type { CapStore } from '../runtime/index.js';
export { MemoryStore } from './memory.js';
