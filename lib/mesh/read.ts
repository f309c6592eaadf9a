import { closeSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import * as jsyaml from 'js-yaml';
import { Manifest } from './manifests';
import { recordSource } from './source';

/** Input that cannot be read or parsed; the message says which file and line. */
export class InputError extends Error {}

/** The largest input read, per file (or standard input): 100 MiB. */
export const MAX_INPUT_BYTES = 100 * 1024 * 1024;

/** How `-` (standard input) is named in messages and sources. */
export const STDIN_NAME = '<stdin>';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** What a failed file system call means, in words. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or folder';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ELOOP': return 'symbolic link loop';
    case 'ENOTDIR': return 'a part of the path is not a folder';
    case 'ENAMETOOLONG': return 'path too long';
    case 'EISDIR': return 'is a folder';
    case 'EMFILE':
    case 'ENFILE': return 'too many open files';
    default: return code !== undefined ? `cannot read (${code})` : `cannot read (${(err as Error)?.message ?? String(err)})`;
  }
}

/**
 * Files to read: the files given (`-` is standard input), and the YAML/JSON files under the
 * folders given, in name order. `node_modules` and files and folders whose name starts with a dot
 * are left out unless given; a folder reached twice through symbolic links is read once.
 */
export function manifestFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const entered = new Set<string>();
  const visit = (path: string, given: boolean) => {
    // Hidden files and folders (.git, editor lock files) and node_modules are not manifests to apply.
    const name = basename(path);
    if (!given && (name.startsWith('.') || name === 'node_modules')) {
      return;
    }
    const manifestName = EXTENSIONS.has(extname(path).toLowerCase());
    let stat;
    try {
      stat = statSync(path);
    } catch (err) {
      if (!given && !manifestName) {
        return; // a broken link to something that would not be read anyway
      }
      throw new InputError(`${path}: ${describeFsError(err)}`);
    }
    if (stat.isDirectory()) {
      let real: string;
      let entries: string[];
      try {
        real = realpathSync(path);
        entries = readdirSync(path);
      } catch (err) {
        throw new InputError(`${path}: cannot read folder: ${describeFsError(err)}`);
      }
      if (entered.has(real)) {
        return;
      }
      entered.add(real);
      for (const entry of entries.sort(compareNames)) {
        visit(join(path, entry), false);
      }
    } else if (given || manifestName) {
      files.push(path);
    }
  };
  for (const p of paths) {
    if (p === '-') {
      files.push(p);
    } else {
      visit(p, true);
    }
  }
  return files;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Reads a file descriptor to its end, refusing more than `MAX_INPUT_BYTES`, into one buffer sized
 * from `sizeHint` (a regular file's size) and grown as needed (pipes, devices).
 */
function readLimited(fd: number, name: string, sizeHint = 0): string {
  let buffer = Buffer.allocUnsafe(Math.min(MAX_INPUT_BYTES + 1, Math.max(64 * 1024, sizeHint + 1)));
  let total = 0;
  for (;;) {
    if (total === buffer.length) {
      if (total > MAX_INPUT_BYTES) {
        throw tooLarge(name);
      }
      const grown = Buffer.allocUnsafe(Math.min(MAX_INPUT_BYTES + 1, buffer.length * 2));
      buffer.copy(grown, 0, 0, total);
      buffer = grown;
    }
    let n: number;
    try {
      n = readSync(fd, buffer, total, buffer.length - total, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // a non-blocking pipe: wait for more
        continue;
      }
      if (code === 'EOF') {
        break;
      }
      throw new InputError(`${name}: cannot read: ${describeFsError(err)}`);
    }
    if (n === 0) {
      break;
    }
    total += n;
  }
  if (total > MAX_INPUT_BYTES) {
    throw tooLarge(name);
  }
  return buffer.toString('utf8', 0, total);
}

function tooLarge(name: string): InputError {
  return new InputError(`${name}: input larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB; split it into several files`);
}

/** The text of a file, or of standard input for `-` (read with `stdin` when given). */
export function readInput(path: string, stdin?: () => string): string {
  if (path === '-') {
    if (stdin !== undefined) {
      const text = stdin();
      if (Buffer.byteLength(text) > MAX_INPUT_BYTES) {
        throw tooLarge(STDIN_NAME);
      }
      return text;
    }
    return readLimited(0, STDIN_NAME);
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new InputError(`${path}: ${describeFsError(err)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > MAX_INPUT_BYTES) {
      throw tooLarge(path);
    }
    return readLimited(fd, path, stat.isFile() ? stat.size : 0);
  } finally {
    closeSync(fd);
  }
}

const yamlTypes = (jsyaml as unknown as { types: Record<string, jsyaml.Type> }).types;
const BOOLEANS = new Map<string, boolean>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((s) => [s, false] as const),
]);
const INTEGER = /^([-+]?)(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const NUMBER_START = /^[-+0-9.]/;

function integerValue(text: string): number {
  const [, sign, digits] = INTEGER.exec(text.replace(/_/g, ''))!;
  const prefix = digits.slice(0, 2).toLowerCase();
  const value = prefix === '0b' ? parseInt(digits.slice(2), 2)
    : prefix === '0o' ? parseInt(digits.slice(2), 8)
      : prefix === '0x' ? parseInt(digits.slice(2), 16)
        : digits.length > 1 && digits.startsWith('0') ? parseInt(digits, 8) : parseInt(digits, 10);
  return sign === '-' ? -value : value;
}

/**
 * Plain scalars typed as `kubectl` and the API server's YAML decoder (sigs.k8s.io/yaml, YAML 1.1)
 * type them: `yes`/`no`/`on`/`off` are booleans, `0755` is octal, `1_000` is a number, and an
 * unquoted date such as `2024-01-15` stays a string (js-yaml's default schema makes it a Date).
 */
const KUBERNETES_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    yamlTypes.null,
    new jsyaml.Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (data: string | null) => data !== null && BOOLEANS.has(data),
      construct: (data: string) => BOOLEANS.get(data),
      predicate: (value: unknown) => typeof value === 'boolean',
    }),
    new jsyaml.Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (data: string | null) => data !== null && NUMBER_START.test(data) && INTEGER.test(data.replace(/_/g, '')),
      construct: integerValue,
    }),
    new jsyaml.Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (data: string | null) => data !== null && ((NUMBER_START.test(data) && FLOAT.test(data.replace(/_/g, '')))
        || /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/.test(data)),
      construct: (data: string) => {
        const text = data.replace(/_/g, '');
        return /nan$/i.test(text) ? NaN : /inf$/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : parseFloat(text);
      },
    }),
    yamlTypes.merge,
  ],
  // An explicit `!!timestamp` is kept as written, as the API server's decoder does.
  explicit: [new jsyaml.Type('tag:yaml.org,2002:timestamp', { kind: 'scalar', construct: (data: string) => data })],
});

/**
 * How many values a document may hold once its aliases are expanded, for a text of `length`
 * characters: a text without aliases holds fewer values than characters.
 */
function expansionLimit(length: number): number {
  return Math.max(100_000, 4 * length);
}

/** Counts the values of `root`, each alias expanded, stopping past `limit`: false when past it. */
function withinExpansion(root: unknown, limit: number): boolean {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (++count > limit) {
      return false;
    }
    if (value !== null && typeof value === 'object') {
      for (const child of Object.values(value)) {
        stack.push(child);
      }
    }
  }
  return true;
}

/** `file:line:column` of an offset in `text`. */
function place(text: string, file: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `${file}:${line}:${offset - lineStart + 1}`;
}

/** A text that starts like a JSON object or array of objects. */
function looksLikeJson(text: string): boolean {
  return /^\s*(\{\s*["}]|\[\s*[{\]])/.test(text);
}

/** As deep as js-yaml lets YAML nest (its `maxDepth`): deeper is no manifest, and would exhaust the stack of later walks. */
const MAX_DEPTH = 100;

/** Whether `root` nests no deeper than `MAX_DEPTH`. */
function shallow(root: unknown): boolean {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value !== null && typeof value === 'object') {
      if (depth >= MAX_DEPTH) {
        return false;
      }
      for (const child of Object.values(value)) {
        stack.push([child, depth + 1]);
      }
    }
  }
  return true;
}

function parseJson(text: string, file: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new InputError(`${file}: nesting too deep`);
    }
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const where = at !== null ? place(text, file, Number(at[1])) : file;
    throw new InputError(`${where}: malformed JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '')}`);
  }
  if (!shallow(doc)) {
    throw new InputError(`${file}: nesting deeper than ${MAX_DEPTH} levels`);
  }
  return [doc];
}

/** Documents, the line each starts on, and the line of each item of a `List`. */
interface Parsed {
  readonly docs: unknown[];
  readonly lines: number[];
  readonly itemLines?: Map<object, number>;
}

/** The documents of a YAML text, the line each starts on and the line of each List item. */
function parseYaml(text: string, file: string): Parsed {
  const lines: number[] = [];
  const opened: number[] = [];
  const itemLines = new Map<object, number>();
  try {
    const docs = jsyaml.loadAll(text, null, {
      filename: file,
      schema: KUBERNETES_SCHEMA,
      listener: (event, state) => {
        if (event === 'open') {
          if (opened.length === 0) {
            lines.push(state.line + 1);
          }
          opened.push(state.line + 1);
        } else {
          const line = opened.pop()!;
          // The items of a List are the objects two levels below a document (document, items, item).
          const result = (state as unknown as { result: unknown }).result;
          if (opened.length === 2 && result !== null && typeof result === 'object' && typeof (result as { kind?: unknown }).kind === 'string') {
            itemLines.set(result, line);
          }
        }
      },
    });
    return { docs, lines, itemLines };
  } catch (err) {
    if (err instanceof jsyaml.YAMLException) {
      const at = err.mark ? `:${err.mark.line + 1}:${err.mark.column + 1}` : '';
      throw new InputError(`${file}${at}: malformed YAML: ${err.reason}`);
    }
    if (err instanceof RangeError) {
      throw new InputError(`${file}: nesting too deep`);
    }
    throw err;
  }
}

/** A JSON text's documents start where its first brace is. */
function jsonLine(text: string): number {
  const at = text.search(/\S/);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

/**
 * Parses one multi-document YAML text (or a JSON text); `List` objects are flattened into their
 * items. Scalars are typed as the API server types them (see `KUBERNETES_SCHEMA`), aliases may
 * not expand a document beyond a few times the size of the text, and each object's place is
 * recorded for the findings (see `sourceOf`).
 *
 * js-yaml is used for its speed: about ten times faster than the alternatives on thousands of
 * documents.
 */
export function parseManifestText(text: string, file: string): Manifest[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let docs: unknown[];
  let lines: number[];
  let itemLines: Map<object, number> | undefined;
  const json = extname(file).toLowerCase() === '.json';
  let parsed: Parsed | undefined;
  if (json || looksLikeJson(body)) {
    try {
      parsed = { docs: parseJson(body, file), lines: [jsonLine(body)] };
    } catch (err) {
      // Outside .json files, a text that starts like JSON may still be YAML (several flow mappings).
      try {
        parsed = json ? undefined : parseYaml(body, file);
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined) {
        throw err;
      }
    }
    ({ docs, lines, itemLines } = parsed);
  } else {
    ({ docs, lines, itemLines } = parseYaml(body, file));
  }
  // Without both an anchor and an alias mark there is nothing to expand.
  if (body.includes('&') && body.includes('*')) {
    const limit = expansionLimit(body.length);
    docs.forEach((doc, i) => {
      if (!withinExpansion(doc, limit)) {
        throw new InputError(`${file}:${lines[i] ?? 1}: YAML aliases expand this document to more than ${limit} values (from ${body.length} characters); refusing to read it`);
      }
    });
  }
  const manifests: Manifest[] = [];
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) {
      return;
    }
    const line = lines[i] ?? 1;
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      throw new InputError(`${file}:${line}: expected a Kubernetes object (a mapping with apiVersion and kind), got ${Array.isArray(doc) ? 'a list' : typeof doc}`);
    }
    const value = doc as { readonly kind?: unknown; readonly items?: unknown };
    const items: unknown[] = typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items) ? value.items : [value];
    for (const item of items) {
      if (item !== null && typeof item === 'object') {
        recordSource(item, { file, line: items === value.items ? itemLines?.get(item) ?? line : line });
      }
      // As read: prepareManifests sets aside what is not a Kubernetes object.
      manifests.push(item as Manifest);
    }
  });
  return manifests;
}

/** Options of `readManifests`. */
export interface ReadOptions {
  /**
   * Reads standard input, for the path `-`.
   * @default - reads the process's standard input
   */
  readonly stdin?: () => string;
}

/** Reads every manifest in the files and folders given (`-` for standard input). */
export function readManifests(paths: readonly string[], options: ReadOptions = {}): Manifest[] {
  const files = manifestFiles(paths);
  if (files.length === 0) {
    throw new InputError(`no YAML or JSON files in ${paths.join(', ')}`);
  }
  return files.flatMap((file) => parseManifestText(readInput(file, options.stdin), file === '-' ? STDIN_NAME : file));
}
