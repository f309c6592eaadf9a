import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Istio's samples folder from the development workspace (`../shared/istio/samples` next to the
 * main checkout, or two levels up from a worktree); `undefined` where it is absent, so that the
 * tests that read it are skipped.
 */
export const ISTIO_SAMPLES = [join(__dirname, '..', '..', '..', 'shared', 'istio', 'samples'), join(__dirname, '..', '..', '..', '..', 'shared', 'istio', 'samples')]
  .find((dir) => existsSync(dir));

/** A file of Istio's bookinfo sample. */
export function bookinfo(...path: string[]): string {
  return join(ISTIO_SAMPLES ?? '', 'bookinfo', ...path);
}
