import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RECORD_FILE, writeOwnedFolder } from '../../lib/rollout/owned-folder';

// Every path below is inside a temporary folder this file makes; the protected places (home and
// current folder) are temporary folders too, passed in, so no test ever aims at a real one.
let scratch: string;
let places: { home: string; cwd: string };

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'owned-folder-'));
  places = { home: join(scratch, 'home', 'user'), cwd: join(scratch, 'work', 'project') };
  mkdirSync(places.home, { recursive: true });
  mkdirSync(places.cwd, { recursive: true });
  writeFileSync(join(places.home, '.profile'), 'export PATH=...');
  writeFileSync(join(places.cwd, 'package.json'), '{}');
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const files = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));
const write = (outdir: string, entries: Record<string, string>): void => writeOwnedFolder('W', outdir, files(entries), places);

describe('writeOwnedFolder', () => {
  test('writes a new folder with its files and a record of them', () => {
    // GIVEN
    const out = join(scratch, 'out');
    // WHEN
    write(out, { 'a/one.yaml': '1', 'plan.md': 'p' });
    // THEN
    expect(readdirSync(out).sort()).toEqual([RECORD_FILE, 'a', 'plan.md']);
    expect(readFileSync(join(out, 'a', 'one.yaml'), 'utf8')).toBe('1');
    expect(JSON.parse(readFileSync(join(out, RECORD_FILE), 'utf8')).files).toEqual(['a/one.yaml', 'plan.md']);
  });

  test('writes into an existing empty folder', () => {
    const out = join(scratch, 'empty');
    mkdirSync(out);
    write(out, { 'x.yaml': 'x' });
    expect(readFileSync(join(out, 'x.yaml'), 'utf8')).toBe('x');
  });

  test('writing again removes exactly the files it wrote before, and the folders they leave empty', () => {
    // GIVEN a folder written once, to which the user added a file of their own
    const out = join(scratch, 'out');
    write(out, { 'a/one.yaml': '1', 'b/delete/two.yaml': '2', 'plan.md': 'p' });
    writeFileSync(join(out, 'a', 'notes.txt'), 'mine');
    // WHEN
    write(out, { 'c/three.yaml': '3', 'plan.md': 'q' });
    // THEN the old files are gone, the user's file and its folder stay
    expect(readdirSync(out).sort()).toEqual([RECORD_FILE, 'a', 'c', 'plan.md']);
    expect(readdirSync(join(out, 'a'))).toEqual(['notes.txt']);
    expect(readFileSync(join(out, 'plan.md'), 'utf8')).toBe('q');
    expect(JSON.parse(readFileSync(join(out, RECORD_FILE), 'utf8')).files).toEqual(['c/three.yaml', 'plan.md']);
  });

  test('fails if the folder is not empty and has no record, touching nothing', () => {
    const out = join(scratch, 'theirs');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'keep');
    expect(() => write(out, { 'keep.txt': 'x', 'y.yaml': 'y' })).toThrow(
      `W: refusing to write into ${out}: the folder is not empty and W did not write it (it has no ${RECORD_FILE}); give a new or empty folder, or empty this one yourself`,
    );
    expect(readdirSync(out)).toEqual(['keep.txt']);
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('keep');
  });

  test('fails if a new file would replace one it did not write, touching nothing', () => {
    const out = join(scratch, 'out');
    write(out, { 'a.yaml': 'a' });
    writeFileSync(join(out, 'b.yaml'), 'theirs');
    expect(() => write(out, { 'b.yaml': 'ours' })).toThrow(`W: refusing to overwrite ${join(out, 'b.yaml')}: W did not write it; move it away or choose another folder`);
    expect(readFileSync(join(out, 'b.yaml'), 'utf8')).toBe('theirs');
    expect(readFileSync(join(out, 'a.yaml'), 'utf8')).toBe('a');
  });

  test('fails if the path is a file, keeping the file', () => {
    const file = join(scratch, 'file.txt');
    writeFileSync(file, 'data');
    expect(() => write(file, { 'a.yaml': 'a' })).toThrow(`W: refusing to write into ${file}: it is a file, not a folder; give a new or empty folder`);
    expect(readFileSync(file, 'utf8')).toBe('data');
  });

  test('fails if the path is a symbolic link, keeping what it points to', () => {
    const real = join(scratch, 'real');
    mkdirSync(real);
    write(real, { 'a.yaml': 'a' });
    const link = join(scratch, 'link');
    symlinkSync(real, link);
    expect(() => write(link, { 'b.yaml': 'b' })).toThrow(`W: refusing to write into ${link}: it is a symbolic link`);
    expect(readdirSync(real).sort()).toEqual([RECORD_FILE, 'a.yaml']);
  });

  test.each([
    ['the root folder', () => '/', 'it is the root folder'],
    ['the home folder', () => places.home, 'it is the home folder or one of its parents'],
    ['a parent of the home folder', () => join(places.home, '..'), 'it is the home folder or one of its parents'],
    ['the current folder', () => places.cwd, 'it is the current folder or one of its parents'],
    ['a parent of the current folder', () => join(places.cwd, '..'), 'it is the current folder or one of its parents'],
  ])('fails if the path is %s, even with a record in it, touching nothing', (_, path, reason) => {
    // GIVEN a record that would otherwise let the writer in
    const target = path();
    if (target !== '/') {
      writeFileSync(join(target, RECORD_FILE), JSON.stringify({ writtenBy: 'cdk8s-istio-canary', files: [] }));
    }
    // WHEN / THEN
    expect(() => write(target, { 'a.yaml': 'a' })).toThrow(reason);
    expect(readFileSync(join(places.home, '.profile'), 'utf8')).toBe('export PATH=...');
    expect(readFileSync(join(places.cwd, 'package.json'), 'utf8')).toBe('{}');
    expect(existsSync(join(target, 'a.yaml'))).toBe(false);
  });

  test('fails if the path is a link to the home folder', () => {
    const link = join(scratch, 'to-home');
    symlinkSync(places.home, link);
    expect(() => write(join(link, '.'), { 'a.yaml': 'a' })).toThrow('it is the home folder or one of its parents');
    expect(readdirSync(places.home)).toEqual(['.profile']);
  });

  test('fails if the record names paths outside the folder, touching nothing', () => {
    // GIVEN a record edited to point elsewhere
    const out = join(scratch, 'out');
    write(out, { 'a.yaml': 'a' });
    const victim = join(scratch, 'victim.txt');
    writeFileSync(victim, 'precious');
    for (const evil of ['../victim.txt', victim, 'a/../../victim.txt']) {
      writeFileSync(join(out, RECORD_FILE), JSON.stringify({ writtenBy: 'cdk8s-istio-canary', files: [evil] }));
      // WHEN / THEN
      expect(() => write(out, { 'b.yaml': 'b' })).toThrow(`W: refusing to write into ${out}: ${JSON.stringify(evil)} is not a plain path inside the folder`);
      expect(readFileSync(victim, 'utf8')).toBe('precious');
      expect(readFileSync(join(out, 'a.yaml'), 'utf8')).toBe('a');
    }
  });

  test('fails if the record is not one this library wrote', () => {
    const out = join(scratch, 'out');
    mkdirSync(out);
    writeFileSync(join(out, RECORD_FILE), '{"files": ["keep.txt"]}');
    writeFileSync(join(out, 'keep.txt'), 'keep');
    expect(() => write(out, { 'a.yaml': 'a' })).toThrow(`its ${RECORD_FILE} is not a record this library wrote`);
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('keep');
  });

  test('fails if a recorded file became a folder or a link, touching nothing', () => {
    // GIVEN a recorded file replaced by a link to the user's data
    const out = join(scratch, 'out');
    write(out, { 'a/x.yaml': 'x', 'b.yaml': 'b' });
    const data = join(scratch, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'keep.txt'), 'keep');
    rmSync(join(out, 'a'), { recursive: true });
    symlinkSync(data, join(out, 'a'));
    // WHEN / THEN: writing through the link would delete or write in the user's folder
    expect(() => write(out, { 'a/x.yaml': 'y' })).toThrow('is a symbolic link, not a folder; move it away');
    expect(readdirSync(data)).toEqual(['keep.txt']);
    expect(readFileSync(join(out, 'b.yaml'), 'utf8')).toBe('b');
    // GIVEN a recorded file replaced by a folder
    rmSync(join(out, 'a'));
    rmSync(join(out, 'b.yaml'));
    mkdirSync(join(out, 'b.yaml'));
    expect(() => write(out, { 'c.yaml': 'c' })).toThrow(`${join(out, 'b.yaml')} was written as a file but is now a folder; move it away`);
  });

  test('fails if outdir is empty', () => {
    expect(() => write('', { 'a.yaml': 'a' })).toThrow('W: outdir must be a folder path, got ""');
  });

  test('the protected places default to the process\'s current folder and home', () => {
    // GIVEN a process whose current folder and home are temporary folders of this test
    const cwd = process.cwd();
    const home = process.env.HOME;
    process.chdir(places.cwd);
    process.env.HOME = places.home;
    try {
      // WHEN / THEN
      expect(() => writeOwnedFolder('W', '.', files({ 'a.yaml': 'a' }))).toThrow('it is the current folder or one of its parents');
      expect(() => writeOwnedFolder('W', '..', files({ 'a.yaml': 'a' }))).toThrow('it is the current folder or one of its parents');
      expect(() => writeOwnedFolder('W', places.home, files({ 'a.yaml': 'a' }))).toThrow('it is the home folder or one of its parents');
    } finally {
      process.chdir(cwd);
      process.env.HOME = home;
    }
    expect(readdirSync(places.cwd)).toEqual(['package.json']);
    expect(readdirSync(places.home)).toEqual(['.profile']);
  });
});
