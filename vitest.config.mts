import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The README's examples import the package by name, as users do.
    alias: { 'cdk8s-istio-canary': fileURLToPath(new URL('./lib/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The packaging and command-line tests start whole processes (tsc, npm pack, the app).
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
