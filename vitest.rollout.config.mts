import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

/** The rollout tests alone: what `npm run mutation:rollout` runs against each mutant of the transition module. */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/rollout/**/*.test.ts'],
    // The owned-folder writer plays no part in the transition module; its tests, and the one of the
    // folders RolloutPlan.write refuses, use process.chdir(), which Stryker's worker threads do not support.
    exclude: ['test/rollout/owned-folder.test.ts'],
    testNamePattern: /^(?!.*fails if write\(\) is given a folder)/,
  },
});
