/**
 * Where each manifest read from a file was written, so that findings (which name an object by
 * kind, namespace and name) can say `file:line` without the checks knowing about files.
 */
import { Source } from './findings';

const sources = new WeakMap<object, Source>();

/** Records that `manifest` was read at `source`; the first record wins (an object aliased twice). */
export function recordSource(manifest: object, source: Source): void {
  if (!sources.has(manifest)) {
    sources.set(manifest, source);
  }
}

/** Where `manifest` was read, if it was read from a file. */
export function sourceOf(manifest: unknown): Source | undefined {
  return manifest !== null && typeof manifest === 'object' ? sources.get(manifest) : undefined;
}
