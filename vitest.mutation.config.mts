import { defineConfig } from 'vitest/config';

// Mutation testing (npm run mutation) runs only the tests of the mutated modules: loading the
// constructs and imports for every mutant would dominate the run.
export default defineConfig({
  test: {
    include: ['test/mesh/checks.test.ts', 'test/mesh/gateway-api-checks.test.ts', 'test/mesh/http-match.test.ts', 'test/mesh/verify.test.ts'],
  },
});
