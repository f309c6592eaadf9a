import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** `npm run test:integration`: the apps, the command line and the package as processes. */
export default defineConfig({
  resolve: {
    alias: { 'cdk8s-istio-canary': fileURLToPath(new URL('./lib/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/integration/**/*.test.ts'],
    // Packing, installing and compiling take a while on a small machine.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
