import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm test`: the in-process tests, the everyday feedback loop. The tests that start processes,
 * pack or install (test/integration/) run with `npm run test:integration` (vitest.integration.config.mts).
 */
export default defineConfig({
  resolve: {
    // The README's examples import the package by name, as users do.
    alias: { 'cdk8s-istio-canary': fileURLToPath(new URL('./lib/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/integration/**', '**/node_modules/**'],
    testTimeout: 30_000,
  },
});
