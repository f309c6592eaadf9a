import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { differences } from '../../scripts/docs-api';

describe('the API reference drift check', () => {
  const made: string[] = [];
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-api-test-'));
    made.push(dir);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    return dir;
  };
  afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('finds no difference between folders with the same files and contents', () => {
    // GIVEN
    const files = { 'README.md': '# api\n', 'classes/Weight.md': '# Weight\n' };

    // WHEN
    const changed = differences(folder(files), folder(files));

    // THEN
    expect(changed).toEqual([]);
  });

  test('names a changed file, a file only generated and a file only committed', () => {
    // GIVEN
    const generated = folder({ 'README.md': '# api\n', 'classes/Weight.md': '# Weight\n', 'classes/Percentage.md': '# Percentage\n' });
    const committed = folder({ 'README.md': '# old api\n', 'classes/Weight.md': '# Weight\n', 'classes/Removed.md': '# Removed\n' });

    // WHEN
    const changed = differences(generated, committed);

    // THEN
    expect(changed).toEqual(['README.md', join('classes', 'Percentage.md'), join('classes', 'Removed.md')]);
  });

  test('treats a missing committed folder as every file differing', () => {
    // GIVEN
    const generated = folder({ 'README.md': '# api\n' });

    // WHEN
    const changed = differences(generated, join(generated, 'absent'));

    // THEN
    expect(changed).toEqual(['README.md']);
  });
});
