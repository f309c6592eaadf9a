import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { dump, loadAll } from 'js-yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../../lib/cli/main';
import { bookinfo, ISTIO_SAMPLES } from '../support/samples';

/**
 * Mutated inputs, from the tutorial's output and from Istio's samples, never make the command
 * line fail with a stack trace or an internal error: every answer is 0, 1 or 2 with a message.
 * FUZZ_RUNS and FUZZ_SEED run more or other cases: FUZZ_RUNS=8000 FUZZ_SEED=7 npx vitest run test/cli-fuzz.test.ts
 */
const tutorialDir = join(__dirname, '..', '__snapshots__', 'tutorial');
const bases: string[] = [
  ...readdirSync(tutorialDir).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(tutorialDir, f), 'utf8')),
  readFileSync(join(__dirname, '..', 'fixtures', 'tutorial-step4.yaml'), 'utf8'),
  ...(ISTIO_SAMPLES === undefined ? [] : [
    readFileSync(bookinfo('platform', 'kube', 'bookinfo.yaml'), 'utf8')
      + readdirSync(bookinfo('networking')).filter((f) => /^(bookinfo-gateway|destination-rule-all|virtual-service-reviews-)/.test(f))
        .map((f) => `---\n${readFileSync(bookinfo('networking', f), 'utf8')}`).join(''),
  ]),
];

const scratch = mkdtempSync(join(tmpdir(), 'cli-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const input = join(scratch, 'input.yaml');

// Half of the runs read a file, half standard input.
const COMMANDS: string[][] = [
  ['verify', input], ['verify', '--json', '-'], ['explain', input], ['explain', '--json', '-', '--header', 'qa=canary-test'],
  ['explain', input, '--gateway', 'mesh', '--host', 'reviews'], ['explain', '-', '--path', '/api?x=1', '--port', '80'], ['diagram', input], ['diagram', '-'],
];

function run(text: string, argv: readonly string[]): { code: number; stderr: string } {
  writeFileSync(input, text);
  let stderr = '';
  const code = runCli(argv, { stdout: () => undefined, stderr: (t) => { stderr += t; }, stdin: () => text });
  return { code, stderr };
}

function expectHandled(result: { code: number; stderr: string }): void {
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  expect([0, 1, 2]).toContain(result.code);
}

/** Every path to a value in `value`. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const found = [prefix];
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      found.push(...paths(child, [...prefix, Array.isArray(value) ? Number(key) : key]));
    }
  }
  return found;
}

const documents = bases.map((text) => loadAll(text).filter((d) => d !== null) as any[]);
const documentPaths = documents.map((docs) => paths(docs).filter((p) => p.length > 0));

const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer({ min: -200, max: 200 }),
  fc.double({ noNaN: true }),
  fc.constantFrom('{{.Namespace}}', '2024-01-15', 'yes', '*', '', 'mesh', '50', '-20', '%', '/', 'a/b/c', '.', '*.example.com', 'version-2'),
  fc.constant(undefined),
);

describe('the command line on mutated input', () => {
  test('never an internal error for a value replaced or removed anywhere in real manifests (500 runs, or FUZZ_RUNS)', () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), oddValue, fc.nat(), fc.boolean(), (base, at, value, command, json) => {
      // GIVEN one field of a real manifest set to an odd value (undefined: removed)
      const b = base % documents.length;
      const docs = structuredClone(documents[b]);
      const path = documentPaths[b][at % documentPaths[b].length];
      let parent: any = docs;
      path.slice(0, -1).forEach((key) => { parent = parent[key]; });
      if (value === undefined && !Array.isArray(parent)) {
        delete parent[path[path.length - 1]];
      } else {
        parent[path[path.length - 1]] = value ?? null;
      }
      // WHEN written as YAML, or as JSON documents
      const text = json ? docs.map((d: unknown) => JSON.stringify(d)).join('\n---\n') : docs.map((d: unknown) => dump(d, { noRefs: true })).join('---\n');
      // THEN
      expectHandled(run(text, COMMANDS[command % COMMANDS.length]));
    }), { seed: Number(process.env.FUZZ_SEED ?? 20261127), numRuns: Number(process.env.FUZZ_RUNS ?? 500) });
  });

  test('never an internal error for text edited with YAML\'s special characters (500 runs, or FUZZ_RUNS)', () => {
    const pieces = [':', ': ', '- ', '&a ', '*a', '&b [*a, *a]', '{', '}', '[', ']', '"', '\'', '\n', '  ', '\t', '#', '!!str ', '!!timestamp ', '!foo ', '%YAML 1.1\n', '|', '>', '---\n', '...\n', '<<: *a\n', '\u0000', '\uFEFF', '{{ .Values.x }}', 'kind: List\nitems: ', '? '];
    fc.assert(fc.property(fc.nat(), fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 30 }), insert: fc.constantFrom(...pieces) }), { minLength: 1, maxLength: 6 }), fc.nat(), (base, edits, command) => {
      // GIVEN a real manifest text with a few edits
      let text = bases[base % bases.length];
      for (const edit of edits) {
        const at = edit.at % (text.length + 1);
        text = text.slice(0, at) + edit.insert + text.slice(at + edit.remove);
      }
      // WHEN / THEN
      expectHandled(run(text, COMMANDS[command % COMMANDS.length]));
    }), { seed: Number(process.env.FUZZ_SEED ?? 20261127), numRuns: Number(process.env.FUZZ_RUNS ?? 500) });
  });
});
