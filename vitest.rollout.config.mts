import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

/** The rollout tests alone: what `npm run mutation:rollout` runs against each mutant of the transition module. */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/rollout/**/*.test.ts'],
    // Stryker runs the tests in worker threads, where process.chdir() (used by a test of the
    // folders RolloutPlan.write refuses, which the transition module plays no part in) is not supported.
    testNamePattern: /^(?!.*fails if write\(\) is given a folder)/,
  },
});
