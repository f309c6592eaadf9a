import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
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

/** Parses one multi-document YAML (or JSON) text; `List` objects are flattened into their items. */
export function parseManifestText(text: string, file: string): Manifest[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const manifests: Manifest[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      throw new InputError(`${file}:${line}:${col}: malformed YAML: ${error.message.split('\n')[0]}`);
    }
    const value = doc.toJS();
    if (value === null || value === undefined) {
      continue;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      const { line } = lineCounter.linePos(doc.contents?.range?.[0] ?? doc.range[0]);
      throw new InputError(`${file}:${line}: expected a Kubernetes object (a mapping with apiVersion and kind), got ${Array.isArray(value) ? 'a list' : typeof value}`);
    }
    if (value.kind === 'List' && Array.isArray(value.items)) {
      manifests.push(...value.items);
    } else {
      manifests.push(value);
    }
  }
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
