import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The packaging and command-line tests start whole processes (tsc, npm pack, the app).
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
