import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { App } from 'cdk8s';
import { mkdirSync, writeFileSync } from 'node:fs';
import { TUTORIAL_STAGES, TutorialChart, TutorialStage } from '../apps/tutorial-chart';
import { runCli } from '../lib/cli/main';
import { errorsOf, verifyManifests } from '../lib/mesh/verify';
import { parseManifests, schemaErrors } from './support/schema';

/**
 * The README and the guides in docs/ cannot drift: each TypeScript block is an example file that
 * this test runs, each YAML block is what that example synthesizes, and each command output is
 * what the command prints.
 */
const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** The README and docs/*.md (the generated API reference under docs/api/ is checked elsewhere). */
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)]
  .map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));

interface Block { marker: string; lang: string; body: string; page: string }

/** Fenced blocks, each with the HTML comment right above it (if any). */
function blocks(text: string, page: string): Block[] {
  const found: Block[] = [];
  // A fence of three or more backticks, closed by the same fence alone on a line (plan.md,
  // shown in the README, holds fenced blocks of its own inside a four-backtick fence).
  const fence = /(?:<!-- ([^>]*) -->\n)?^(`{3,})(\w*)\n([\s\S]*?)^\2$/gm;
  for (const m of text.matchAll(fence)) {
    found.push({ marker: m[1] ?? '', lang: m[3], body: m[4], page });
  }
  return found;
}

const outdir = mkdtempSync(join(tmpdir(), 'readme-examples-'));
process.env.CDK8S_OUTDIR = outdir;
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Runs an example file once and returns the YAML it wrote, by chart file. */
const runs = new Map<string, Promise<string>>();
function synthExample(file: string, output?: string): Promise<string> {
  if (!runs.has(file)) {
    runs.set(file, (async () => {
      const before = new Set(readdir());
      await import(join(root, file));
      const written = readdir().filter((f) => !before.has(f));
      expect(written).toHaveLength(1);
      return written[0];
    })());
  }
  // An example writes one chart file, or a folder holding the file named in the marker.
  return runs.get(file)!.then((written) => readFileSync(join(outdir, output ?? written), 'utf8'));
}
function readdir(): string[] {
  return readdirSync(outdir);
}

const all = pages.flatMap((p) => blocks(p.text, p.path));
const examples = all.filter((b) => b.marker.startsWith('example: '));
const outputs = all.filter((b) => b.marker.startsWith('output: '));
const commands = all.filter((b) => b.marker.startsWith('cli: '));

/** A folder holding what `CANARY_STAGE=<stage> npm run synth` writes to dist/. */
function stageDist(stage: TutorialStage): string {
  const dir = join(outdir, `dist-${stage}`);
  mkdirSync(dir, { recursive: true });
  const app = new App({ outdir: dir });
  new TutorialChart(app, 'tutorial', { stage });
  writeFileSync(join(dir, 'tutorial.k8s.yaml'), app.synthYaml());
  return dir;
}

/** GitHub's anchor of a heading. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
}

/** The anchors of a page's headings, outside fenced blocks. */
function anchors(text: string): Set<string> {
  const withoutBlocks = text.replace(/^(`{3,})\w*\n[\s\S]*?^\1$/gm, '');
  return new Set([...withoutBlocks.matchAll(/^#{1,6} (.*)$/gm)].map((m) => slug(m[1])));
}

describe('README and docs', () => {
  test('the README is a front door: at most 250 lines, the rest in docs/', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    expect(pages.map((p) => p.path)).toEqual(expect.arrayContaining([
      'docs/constructs.md', 'docs/traffic-policy.md', 'docs/gateway-api.md', 'docs/rollout-plans.md', 'docs/verify.md', 'docs/tutorial.md', 'docs/development.md',
    ]));
  });

  test('every relative link points at a file that exists, and at a heading of it', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = page.text.replace(/^(`{3,})\w*\n[\s\S]*?^\1$/gm, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) {
          continue;
        }
        const [file, anchor] = target.split('#');
        const path = file === '' ? page.path : join(page.path, '..', file);
        if (!existsSync(join(root, path))) {
          broken.push(`${page.path}: ${target} (no file ${path})`);
        } else if (anchor !== undefined && !anchors(readFileSync(join(root, path), 'utf8')).has(anchor)) {
          broken.push(`${page.path}: ${target} (no heading #${anchor} in ${path})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  test('every TypeScript block is an example file', () => {
    const code = all.filter((b) => ['ts', 'typescript'].includes(b.lang));
    expect(code.length).toBeGreaterThanOrEqual(4);
    expect(code.filter((b) => !b.marker.startsWith('example: ')).map((b) => b.body)).toEqual([]);
  });

  test.each(examples.map((b) => [b.marker.slice('example: '.length), b] as const))('the block for %s is the file, word for word', (file, block) => {
    expect(block.body).toBe(readFileSync(join(root, file), 'utf8'));
  });

  test.each(outputs.map((b) => [b.marker.slice('output: '.length), b] as const))('the YAML shown for %s is what it synthesizes', async (spec, block) => {
    const [file, ...options] = spec.split(' ');
    const kinds = options.find((o) => o.startsWith('kinds='))?.slice('kinds='.length).split(',');
    const output = options.find((o) => o.startsWith('file='))?.slice('file='.length);
    if (output !== undefined) {
      expect(block.body).toBe(await synthExample(file, output));
      return;
    }
    const docs = (await synthExample(file)).split(/^---\n/m);
    const shown = docs.filter((doc) => kinds === undefined || kinds.includes(parseManifests(doc)[0].kind)).join('---\n');
    expect(block.body).toBe(shown);
    expect(parseManifests(shown).flatMap(schemaErrors)).toEqual([]);
    expect(errorsOf(verifyManifests(parseManifests(docs.join('---\n'))))).toEqual([]);
  });

  test.each(commands.map((b) => [b.marker.slice('cli: '.length), b] as const))('the output shown for `%s` is what the command prints', (spec, block) => {
    const words = spec.split(' ');
    const stage = words[0].startsWith('stage=') ? words.shift()!.slice('stage='.length) as TutorialStage : undefined;
    const dist = stage !== undefined ? stageDist(stage) : undefined;
    let stdout = '';
    runCli(words.map((w) => (w === 'dist' && dist !== undefined ? dist : w)), { stdout: (t) => { stdout += t; }, stderr: () => undefined });
    expect(block.body).toBe(stdout);
  });

  test('each command output is preceded by the command that prints it', () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const block of commands) {
      const words = block.marker.slice('cli: '.length).split(' ').filter((w) => !w.startsWith('stage='));
      const page = pages.find((p) => p.path === block.page)!.text;
      const at = page.indexOf(`<!-- ${block.marker} -->`);
      expect(page.slice(0, at)).toContain(`npx cdk8s-istio-canary ${words.join(' ')}`);
    }
  });

  test('every example is shown with its output', () => {
    const shown = new Set(outputs.map((b) => b.marker.slice('output: '.length).split(' ')[0]));
    for (const block of examples) {
      expect(shown).toContain(block.marker.slice('example: '.length));
    }
  });

  test('the stage table lists every tutorial stage, in order', () => {
    const rows = [...pages.map((p) => p.text).join('\n').matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]).filter((s) => (TUTORIAL_STAGES as readonly string[]).includes(s));
    expect(rows).toEqual([...TUTORIAL_STAGES]);
  });

  test('the quick start uses scripts that exist', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const m of pages.map((p) => p.text).join('\n').matchAll(/npm run ([\w:-]+)/g)) {
      expect(Object.keys(pkg.scripts)).toContain(m[1]);
    }
    expect(readme).toContain('npm ci && npm run synth');
    expect(readme).toContain('npm test');
  });
});
