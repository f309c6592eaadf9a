import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  describeFsError, InputError, manifestFiles, MAX_INPUT_BYTES, parseManifestText, readInput, readManifests,
} from '../../lib/mesh/read';
import { sourceOf } from '../../lib/mesh/source';

const dir = mkdtempSync(join(tmpdir(), 'read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseManifestText', () => {
  test('reads every document, skips empty ones and flattens Lists', () => {
    const text = '---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Service, metadata: {name: b}}\n';
    expect(parseManifestText(text, 'f.yaml').map((m) => m.metadata?.name)).toEqual(['a', 'b']);
  });

  test('reads JSON', () => {
    expect(parseManifestText('{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "j"}}', 'f.json')[0].kind).toBe('Service');
  });

  test('names the file, line and column of malformed YAML', () => {
    expect(() => parseManifestText('a: 1\nb: [\n', 'bad.yaml')).toThrow(InputError);
    expect(() => parseManifestText('a: 1\nb: [\n', 'bad.yaml')).toThrow(/^bad\.yaml:3:1: malformed YAML: /);
  });

  test('names the line where a document that is not an object starts', () => {
    expect(() => parseManifestText('# comment\n---\nkind: A\n---\n- 1\n- 2\n', 'list.yaml'))
      .toThrow('list.yaml:5: expected a Kubernetes object (a mapping with apiVersion and kind), got a list');
  });
});

describe('manifestFiles and readManifests', () => {
  test('lists files given and YAML/JSON files under folders, in name order', () => {
    writeFileSync(join(dir, 'b.yaml'), 'kind: B\n');
    writeFileSync(join(dir, 'a.yml'), 'kind: A\n');
    writeFileSync(join(dir, 'notes.txt'), 'not read');
    const given = join(dir, 'notes.txt');
    expect(manifestFiles([dir]).map((f) => f.slice(dir.length + 1))).toEqual(['a.yml', 'b.yaml']);
    expect(manifestFiles([given])).toEqual([given]);
    expect(readManifests([dir]).map((m) => m.kind)).toEqual(['A', 'B']);
  });

  test('fails on a folder without manifests', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect(() => readManifests([empty])).toThrow(`no YAML or JSON files in ${empty}`);
  });
});

describe('scalars typed as the API server types them', () => {
  test('an unquoted date stays a string, as in the API server\'s YAML decoder', () => {
    // GIVEN / WHEN
    const [m] = parseManifestText('kind: A\nmetadata:\n  labels:\n    version: 2024-01-15\n    stamp: !!timestamp 2024-01-15T10:00:00Z\n', 'f.yaml');
    // THEN
    expect(m.metadata?.labels).toEqual({ version: '2024-01-15', stamp: '2024-01-15T10:00:00Z' });
  });

  test('YAML 1.1 booleans, octal, underscores and merge keys are read as kubectl reads them', () => {
    // GIVEN / WHEN
    const [m] = parseManifestText('kind: A\nbase: &base {x: 1}\nspec:\n  <<: *base\n  a: yes\n  b: Off\n  c: 0755\n  d: 1_000\n  e: 0x1F\n  f: 1.5e3\n  g: "yes"\n  h: ~\n', 'f.yaml') as any[];
    // THEN
    expect(m.spec).toEqual({ x: 1, a: true, b: false, c: 493, d: 1000, e: 31, f: 1500, g: 'yes', h: null });
  });
});

describe('input that would exhaust memory or time', () => {
  const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    .concat('bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)).join('\n');

  test('fails fast on an alias bomb, naming the file and line', () => {
    // GIVEN
    const started = Date.now();
    // WHEN / THEN
    expect(() => parseManifestText(bomb, 'bomb.yaml')).toThrow(/^bomb\.yaml:1: YAML aliases expand this document to more than 100000 values \(from \d+ characters\); refusing to read it$/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('reads aliases that expand modestly', () => {
    const text = 'kind: A\nlabels: &l {app: web}\nitems:\n' + Array.from({ length: 50 }, () => '  - *l').join('\n') + '\n';
    expect((parseManifestText(text, 'f.yaml')[0] as any).items).toHaveLength(50);
  });

  test('fails on a YAML alias that refers to itself', () => {
    expect(() => parseManifestText('a: &a [*a]\n', 'loop.yaml')).toThrow(/loop\.yaml:1: YAML aliases expand/);
  });

  test('fails on nesting too deep, in YAML and in JSON', () => {
    expect(() => parseManifestText(`a: ${'['.repeat(20000)}${']'.repeat(20000)}\n`, 'deep.yaml')).toThrow(/^deep\.yaml:1:\d+: malformed YAML: nesting exceeded/);
    expect(() => parseManifestText(`{"a": ${'['.repeat(20000)}${']'.repeat(20000)}}`, 'deep.json')).toThrow('deep.json: nesting deeper than 100 levels');
  });

  test.skipIf(!existsSync('/dev/zero'))('stops reading an endless input past the limit', () => {
    expect(() => readInput('/dev/zero')).toThrow(`/dev/zero: input larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB; split it into several files`);
  });

  test('refuses standard input larger than the limit', () => {
    expect(() => readInput('-', () => 'x'.repeat(MAX_INPUT_BYTES + 1))).toThrow('<stdin>: input larger than 100 MiB');
  });
});

describe('JSON', () => {
  test('malformed JSON is called JSON, with its line and column', () => {
    expect(() => parseManifestText('{\n  "kind": "Service",\n  "metadata": {"name": "a",}\n}\n', 'svc.json')).toThrow(/^svc\.json:3:\d+: malformed JSON: /);
    expect(() => parseManifestText('{"kind": "Service",, }', 'from-stdin')).toThrow(/^from-stdin:1:\d+: malformed JSON: /);
  });

  test('a text that starts like JSON but is YAML is read as YAML', () => {
    expect(parseManifestText('{"kind": "A"}\n---\n{"kind": "B"}\n', 'f.yaml').map((m) => m.kind)).toEqual(['A', 'B']);
  });

  test('lists of any kind (ServiceList, List) are flattened', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'ServiceList', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } }] });
    expect(parseManifestText(text, 'f.json').map((m) => m.metadata?.name)).toEqual(['a']);
  });
});

describe('sources', () => {
  test('each object read records the file and the line it starts on', () => {
    // GIVEN / WHEN
    const manifests = parseManifestText('# header\n---\nkind: A\n---\n\nkind: List\nitems:\n  - {kind: B}\n', 'f.yaml');
    // THEN
    expect(manifests.map(sourceOf)).toEqual([{ file: 'f.yaml', line: 3 }, { file: 'f.yaml', line: 8 }]);
  });

  test('each item of a YAML List records its own line', () => {
    const text = 'apiVersion: v1\nkind: List\nmetadata: {resourceVersion: ""}\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: Service\n    metadata:\n      name: b\n';
    expect(parseManifestText(text, 'list.yaml').map(sourceOf)).toEqual([{ file: 'list.yaml', line: 5 }, { file: 'list.yaml', line: 8 }]);
  });

  test('objects built in memory have no source', () => {
    expect(sourceOf({ kind: 'A' })).toBeUndefined();
  });
});

describe('walking folders', () => {
  test('leaves out node_modules, dot-folders and dot-files unless they are given', () => {
    // GIVEN
    const tree = mkdtempSync(join(dir, 'walk-'));
    for (const sub of ['node_modules/pkg', '.git', 'app']) {
      mkdirSync(join(tree, sub), { recursive: true });
      writeFileSync(join(tree, sub, 'x.yaml'), 'kind: A\n');
    }
    writeFileSync(join(tree, '.pre-commit-config.yaml'), 'repos: []\n');
    symlinkSync(join(tree, 'gone'), join(tree, 'app', '.#x.yaml')); // an editor's lock file: a dangling link
    symlinkSync(join(tree, 'gone'), join(tree, 'app', 'LICENSE')); // a dangling link to a file that is not a manifest
    // WHEN / THEN
    expect(manifestFiles([tree]).map((f) => f.slice(tree.length + 1))).toEqual([join('app', 'x.yaml')]);
    expect(manifestFiles([join(tree, '.git')])).toEqual([join(tree, '.git', 'x.yaml')]);
  });

  test('reads a folder reached again through a symbolic link once', () => {
    const tree = mkdtempSync(join(dir, 'cycle-'));
    writeFileSync(join(tree, 'a.yaml'), 'kind: A\n');
    symlinkSync(tree, join(tree, 'again'));
    expect(manifestFiles([tree])).toEqual([join(tree, 'a.yaml')]);
  });

  test('fails if a path is a symbolic link loop, saying so', () => {
    const loop = join(mkdtempSync(join(dir, 'loop-')), 'self.yaml');
    symlinkSync(loop, loop);
    expect(() => manifestFiles([loop])).toThrow(`${loop}: symbolic link loop`);
  });

  test('names permission errors as such', () => {
    expect(describeFsError(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('permission denied');
    expect(describeFsError(Object.assign(new Error('x'), { code: 'ELOOP' }))).toBe('symbolic link loop');
    expect(describeFsError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('no such file or folder');
  });

  test.skipIf(process.getuid?.() === 0)('fails if a sub-folder cannot be read, saying why', () => {
    const tree = mkdtempSync(join(dir, 'locked-'));
    mkdirSync(join(tree, 'locked'));
    chmodSync(join(tree, 'locked'), 0o000);
    try {
      expect(() => manifestFiles([tree])).toThrow(`${join(tree, 'locked')}: cannot read folder: permission denied`);
    } finally {
      chmodSync(join(tree, 'locked'), 0o700);
    }
  });
});
