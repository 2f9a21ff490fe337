import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Test files that replace modules (vi.mock, vi.spyOn on a module namespace)
// need a module graph of their own; every other file shares its worker's, so
// the source is imported once per worker instead of once per file (the import
// was most of the suite's time). Both CI cores run test files.
const OWN_MODULES = ['test/check/crash.test.ts', 'test/plan/verify.test.ts'];

// The longest files, longest first. Vitest orders files by the durations of
// its last run (longest first) when it has them, else by size, largest first,
// which would start the tiny but longest files (the property tests) last, and
// leave one worker running them alone at the end. These go first, in this order.
const LONGEST_FIRST = [
  'test/property/generated.test.ts',
  'test/property/mutated.test.ts',
  'test/package/consumer.test.ts',
  'test/trust/adversarial-files.test.ts',
  'test/layering.test.ts',
  'test/check/property.test.ts',
  'test/fmt/properties.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (s: TestSpecification): number => {
      const i = LONGEST_FIRST.indexOf(relative(s.project.config.root, s.moduleId).split('\\').join('/'));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    // A stable sort: the other files keep the base order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: OWN_MODULES, isolate: false } },
      { extends: true, test: { name: 'isolated', include: OWN_MODULES, isolate: true } },
    ],
  },
});
