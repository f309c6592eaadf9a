// Mutation testing of the transition module (lib/rollout/transition.ts) against the rollout tests:
// `npm run mutation:rollout` (not part of `npm test` nor CI; it takes minutes). Report: reports/mutation-rollout/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.rollout.config.mts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  mutate: ['lib/rollout/transition.ts'],
  coverageAnalysis: 'perTest',
  // The machine is shared: one mutant at a time.
  concurrency: 1,
  timeoutMS: 60000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation-rollout/mutation.json' },
  tempDirName: '.stryker-tmp-rollout',
  thresholds: { high: 90, low: 80, break: 90 },
};
