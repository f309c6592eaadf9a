import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { InputError, manifestFiles, parseManifestText, readManifests } from '../../lib/mesh/read';

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
