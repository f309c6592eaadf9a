import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

/** The rollout tests alone: what `npm run mutation:rollout` runs against each mutant of the transition module. */
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/rollout/**/*.test.ts', 'test/rollout-plan.test.ts'] },
});
