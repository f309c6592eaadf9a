import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { loadAll, YAMLException } from 'js-yaml';
import { Manifest } from './manifests';

/** Input that cannot be read or parsed; the message says which file and line. */
export class InputError extends Error {}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Files to read: the files given, and the YAML/JSON files under the folders given, in name order. */
export function manifestFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (path: string, given: boolean) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new InputError(`${path}: no such file or folder`);
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        visit(join(path, entry), false);
      }
    } else if (given || EXTENSIONS.has(extname(path).toLowerCase())) {
      files.push(path);
    }
  };
  paths.forEach((p) => visit(p, true));
  return files;
}

/** The line (1-based) on which each document's content starts: the line after its `---`. */
function documentLines(text: string): number[] {
  const starts = [1];
  text.split('\n').forEach((line, i) => {
    if (/^---(\s|$)/.test(line)) {
      if (starts.length === 1 && text.split('\n').slice(0, i).every((l) => /^\s*(#.*)?$/.test(l))) {
        starts[0] = i + 2; // a separator before the first document opens it
      } else {
        starts.push(i + 2);
      }
    }
  });
  return starts;
}

/**
 * Parses one multi-document YAML (or JSON) text; `List` objects are flattened into their items.
 * js-yaml is used for its speed: about ten times faster than the alternatives on thousands of
 * documents.
 */
export function parseManifestText(text: string, file: string): Manifest[] {
  let docs: unknown[];
  try {
    docs = loadAll(text, undefined, { filename: file });
  } catch (err) {
    if (err instanceof YAMLException) {
      const at = err.mark ? `:${err.mark.line + 1}:${err.mark.column + 1}` : '';
      throw new InputError(`${file}${at}: malformed YAML: ${err.reason}`);
    }
    throw err;
  }
  const manifests: Manifest[] = [];
  let lines: number[] | undefined;
  docs.forEach((value: any, i) => {
    if (value === null || value === undefined) {
      return;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      lines ??= documentLines(text);
      throw new InputError(`${file}:${lines[i] ?? 1}: expected a Kubernetes object (a mapping with apiVersion and kind), got ${Array.isArray(value) ? 'a list' : typeof value}`);
    }
    if (value.kind === 'List' && Array.isArray(value.items)) {
      manifests.push(...value.items);
    } else {
      manifests.push(value);
    }
  });
  return manifests;
}

/** Reads every manifest in the files and folders given. */
export function readManifests(paths: readonly string[]): Manifest[] {
  const files = manifestFiles(paths);
  if (files.length === 0) {
    throw new InputError(`no YAML or JSON files in ${paths.join(', ')}`);
  }
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new InputError(`${file}: cannot read: ${(err as Error).message}`);
    }
    return parseManifestText(text, file);
  });
}
