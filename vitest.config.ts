import { defineConfig } from 'vitest/config';

// Test files that replace modules (vi.mock, vi.spyOn on a module namespace)
// need a module graph of their own; every other file shares its worker's, so
// the source is imported once per worker instead of once per file (the import
// was most of the suite's time). Both CI cores run test files.
const OWN_MODULES = ['test/check/crash.test.ts', 'test/plan/verify.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: OWN_MODULES, isolate: false } },
      { extends: true, test: { name: 'isolated', include: OWN_MODULES, isolate: true } },
    ],
  },
});
