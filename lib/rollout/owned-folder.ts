import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, Stats, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, normalize, parse, relative, resolve, sep } from 'node:path';
import { compareText } from '../mesh/findings';

/**
 * Writing a folder of generated files without ever deleting or overwriting what the writer did not
 * write itself.
 *
 * Each folder written here holds a record, {@link RECORD_FILE}, of the files it wrote. Writing again
 * removes exactly those files (and the folders they leave empty), then writes the new ones. A
 * non-empty folder without a record, a file, a symbolic link, `/`, the home folder, the current
 * folder and their parents are refused before anything is touched.
 */

/** Name of the record a written folder keeps of the files it holds. */
export const RECORD_FILE = '.cdk8s-istio-canary-files.json';

const RECORD_MARK = 'cdk8s-istio-canary';

/** Folders that are never written into, whatever the call; injectable for tests. */
export interface ProtectedPlaces {
  /** @default - `process.cwd()` */
  readonly cwd?: string;
  /** @default - `os.homedir()` */
  readonly home?: string;
}

/**
 * Replaces the files of a folder this writer owns with `files` (relative path → content).
 *
 * @param what the writer's name, for messages (e.g. `RolloutPlan.write`)
 * @throws an error that names the folder and says what to do when the folder is not the writer's
 */
export function writeOwnedFolder(what: string, outdir: string, files: ReadonlyMap<string, string>, places: ProtectedPlaces = {}): void {
  if (typeof outdir !== 'string' || outdir.trim() === '') {
    throw new Error(`${what}: outdir must be a folder path, got ${JSON.stringify(outdir)}`);
  }
  const target = resolve(outdir);
  refuseProtected(what, outdir, target, places);

  const stats = lstatOrUndefined(target);
  let previous: string[] = [];
  if (stats !== undefined) {
    if (stats.isSymbolicLink()) {
      throw new Error(`${what}: refusing to write into ${outdir}: it is a symbolic link; give the folder it points to, or a new folder`);
    }
    if (!stats.isDirectory()) {
      throw new Error(`${what}: refusing to write into ${outdir}: it is a file, not a folder; give a new or empty folder`);
    }
    previous = recordedFiles(what, outdir, target);
  }

  const next = [...files.keys()].map((file) => checkRelative(what, outdir, file));
  const owned = new Set(previous);
  for (const file of next) {
    if (!owned.has(file) && lstatOrUndefined(join(target, file)) !== undefined) {
      throw new Error(`${what}: refusing to overwrite ${join(outdir, file)}: ${what} did not write it; move it away or choose another folder`);
    }
  }
  // Every check passed before anything is touched: now remove what the previous write left.
  for (const file of previous) {
    const path = join(target, file);
    if (lstatOrUndefined(path) !== undefined) {
      unlinkSync(path);
    }
  }
  removeEmptyFolders(target, previous);

  mkdirSync(target, { recursive: true });
  // The record first: a write that stops half-way leaves a folder that the next write still owns.
  writeFileSync(join(target, RECORD_FILE), `${JSON.stringify({ writtenBy: RECORD_MARK, files: next }, undefined, 2)}\n`);
  for (const file of next) {
    const path = join(target, file);
    makeFolders(what, outdir, target, dirname(file));
    // `wx`: never overwrite a file that appeared since the checks.
    writeFileSync(path, files.get(file)!, { flag: 'wx' });
  }
}

function refuseProtected(what: string, outdir: string, target: string, places: ProtectedPlaces): void {
  const cwd = resolve(places.cwd ?? process.cwd());
  const home = resolve(places.home ?? homedir());
  const candidates = [target, realOrSelf(target)];
  for (const path of candidates) {
    if (parse(path).root === path) {
      throw new Error(`${what}: refusing to write into ${outdir}: it is the root folder; give a new folder such as dist/plan`);
    }
    if (isSameOrParent(path, home) || isSameOrParent(path, realOrSelf(home))) {
      throw new Error(`${what}: refusing to write into ${outdir}: it is the home folder or one of its parents; give a new folder such as dist/plan`);
    }
    if (isSameOrParent(path, cwd) || isSameOrParent(path, realOrSelf(cwd))) {
      throw new Error(`${what}: refusing to write into ${outdir}: it is the current folder or one of its parents; give a new folder such as dist/plan`);
    }
  }
}

/** The files a previous write recorded, or an error when the folder is not empty and has no record. */
function recordedFiles(what: string, outdir: string, target: string): string[] {
  const entries = readdirSync(target);
  if (entries.length === 0) {
    return [];
  }
  if (!entries.includes(RECORD_FILE)) {
    throw new Error(`${what}: refusing to write into ${outdir}: the folder is not empty and ${what} did not write it (it has no ${RECORD_FILE}); `
      + 'give a new or empty folder, or empty this one yourself');
  }
  const recordPath = join(target, RECORD_FILE);
  const stats = lstatSync(recordPath);
  let record: unknown;
  try {
    record = stats.isFile() ? JSON.parse(readFileSync(recordPath, 'utf8')) : undefined;
  } catch {
    record = undefined;
  }
  const files = (record as { files?: unknown } | undefined)?.files;
  if ((record as { writtenBy?: unknown } | undefined)?.writtenBy !== RECORD_MARK || !Array.isArray(files) || !files.every((f) => typeof f === 'string')) {
    throw new Error(`${what}: refusing to write into ${outdir}: its ${RECORD_FILE} is not a record this library wrote; give a new or empty folder`);
  }
  const checked = files.map((file: string) => checkRelative(what, outdir, file));
  for (const file of checked) {
    // A recorded name that is now a folder or a link is no longer ours to remove.
    const found = lstatOrUndefined(join(target, file));
    if (found !== undefined && !found.isFile()) {
      throw new Error(`${what}: refusing to write into ${outdir}: ${join(outdir, file)} was written as a file but is now a ${kindOf(found)}; move it away`);
    }
    checkFolders(what, outdir, target, dirname(file));
  }
  return checked;
}

/** A recorded or requested path: relative, normalized, inside the folder, not the record itself. */
function checkRelative(what: string, outdir: string, file: string): string {
  const normal = normalize(file);
  if (file === '' || isAbsolute(file) || normal !== file || normal.split(sep).includes('..') || normal === RECORD_FILE || normal === '.') {
    throw new Error(`${what}: refusing to write into ${outdir}: ${JSON.stringify(file)} is not a plain path inside the folder`);
  }
  return normal;
}

/** Refuses a path whose folders exist as links or files: writing there would land outside `outdir`. */
function checkFolders(what: string, outdir: string, target: string, folder: string): void {
  let path = target;
  for (const part of folder === '.' ? [] : folder.split(sep)) {
    path = join(path, part);
    const stats = lstatOrUndefined(path);
    if (stats === undefined) {
      return;
    }
    if (!stats.isDirectory()) {
      throw new Error(`${what}: refusing to write into ${outdir}: ${relative(process.cwd(), path) || path} is a ${kindOf(stats)}, not a folder; move it away`);
    }
  }
}

function makeFolders(what: string, outdir: string, target: string, folder: string): void {
  checkFolders(what, outdir, target, folder);
  mkdirSync(join(target, folder), { recursive: true });
}

/** Removes the folders that held `files` if they are empty now, deepest first; never a folder with something in it. */
function removeEmptyFolders(target: string, files: readonly string[]): void {
  const folders = new Set<string>();
  for (const file of files) {
    for (let folder = dirname(file); folder !== '.'; folder = dirname(folder)) {
      folders.add(folder);
    }
  }
  const deepestFirst = [...folders].sort((a, b) => b.split(sep).length - a.split(sep).length || compareText(a, b));
  for (const folder of deepestFirst) {
    const path = join(target, folder);
    const stats = lstatOrUndefined(path);
    if (stats?.isDirectory() && readdirSync(path).length === 0) {
      rmdirSync(path);
    }
  }
}

function isSameOrParent(path: string, of: string): boolean {
  const rel = relative(path, of);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw e;
  }
}

function kindOf(stats: Stats): string {
  return stats.isSymbolicLink() ? 'symbolic link' : stats.isDirectory() ? 'folder' : 'file';
}
