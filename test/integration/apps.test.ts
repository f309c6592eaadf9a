import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { TUTORIAL_STAGES, TutorialStage } from '../../apps/tutorial-chart';
import { RECORD_FILE } from '../../lib/rollout/owned-folder';

/*
 * The apps and the command line as processes, as a user runs them: slower than the in-process
 * tests (each starts Node and tsx), so they run with `npm run test:integration`.
 */

const root = join(__dirname, '..', '..');
const step4 = join(__dirname, '..', 'fixtures', 'tutorial-step4.yaml');

function snapshotFile(s: TutorialStage): string {
  return join(__dirname, '..', '__snapshots__', 'tutorial', `${String(TUTORIAL_STAGES.indexOf(s) + 1).padStart(2, '0')}-${s}.yaml`);
}

describe('the tutorial app as a process', () => {
  const outdirs: string[] = [];
  const outdir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tutorial-synth-'));
    outdirs.push(dir);
    return dir;
  };
  afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function runApp(env: Record<string, string>) {
    return spawnSync(process.execPath, ['--import', 'tsx', 'apps/tutorial.ts'], {
      cwd: root, env: { ...process.env, ...env }, encoding: 'utf8',
    });
  }

  test('CANARY_STAGE selects the stage written to the output folder, and the default is the final stage', () => {
    for (const [env, expected] of [[{ CANARY_STAGE: 'header-route' }, 'header-route'], [{}, 'weighted']] as const) {
      const dir = outdir();
      const { CANARY_STAGE: _, ...rest } = process.env;
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'apps/tutorial.ts'], {
        cwd: root, env: { ...rest, ...env, CDK8S_OUTDIR: dir }, encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(readFileSync(join(dir, 'tutorial.k8s.yaml'), 'utf8')).toBe(readFileSync(snapshotFile(expected), 'utf8'));
    }
  });

  test('fails if CANARY_STAGE is unknown, with the stages listed and no stack trace', () => {
    const result = runApp({ CANARY_STAGE: 'nope', CDK8S_OUTDIR: outdir() });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('error: CANARY_STAGE must be one of v1-only, subset-v1, canary-deployed, header-route, weighted, got "nope"\n');
  });

  test('npm run synth runs the app itself: the stage written on stdout, one clean line on a bad stage', () => {
    // GIVEN
    const dir = outdir();
    const { CANARY_STAGE: _, ...rest } = process.env;
    // WHEN
    const ok = spawnSync('npm', ['run', '--silent', 'synth'], { cwd: root, env: { ...rest, CDK8S_OUTDIR: dir }, encoding: 'utf8' });
    const bad = spawnSync('npm', ['run', '--silent', 'synth'], { cwd: root, env: { ...rest, CANARY_STAGE: 'bogus', CDK8S_OUTDIR: dir }, encoding: 'utf8' });
    // THEN
    expect([ok.status, ok.stderr, ok.stdout]).toEqual([0, '', `synthesized stage weighted to ${dir}/\n`]);
    expect(readFileSync(join(dir, 'tutorial.k8s.yaml'), 'utf8')).toBe(readFileSync(snapshotFile('weighted'), 'utf8'));
    expect([bad.status, bad.stderr]).toEqual([1, 'error: CANARY_STAGE must be one of v1-only, subset-v1, canary-deployed, header-route, weighted, got "bogus"\n']);
  });

  test('`cdk8s synth` through cdk8s.yaml writes the same file', () => {
    const dir = outdir();
    const { CANARY_STAGE: _, ...rest } = process.env;
    execFileSync('npx', ['cdk8s', 'synth', '--no-check-upgrade', '--output', dir], { cwd: root, env: rest, encoding: 'utf8' });
    expect(readFileSync(join(dir, 'tutorial.k8s.yaml'), 'utf8')).toBe(readFileSync(snapshotFile('weighted'), 'utf8'));
  });
});

describe('the command line as a process', () => {
  test('runs as a process and sets the exit code', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', 'verify', step4], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('ERROR IST0101');
  });
});

describe('npm run synth:plan', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'plan-synth-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test('writes the plans under dist/plan, the progressive one also for Argo CD', () => {
    const out = join(scratch, 'dist');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'apps/plan.ts'], { cwd: root, env: { ...process.env, CDK8S_OUTDIR: out }, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const name of ['tutorial', 'progressive', 'progressive-argocd']) {
      expect(existsSync(join(out, 'plan', name, 'plan.md'))).toBe(true);
    }
    expect(readdirSync(join(out, 'plan', 'tutorial'))).toEqual([RECORD_FILE, '01-v1-only', '02-subset-v1', '03-canary-deployed', '04-header-route', '05-weighted', 'plan.md']);
    expect(readdirSync(join(out, 'plan', 'progressive-argocd', '07-finalize'))).toEqual(['resources.yaml']);
  });
});

describe('CANARY_API as the app reads it', () => {
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function runApp(env: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'tutorial-gateway-api-'));
    outdirs.push(dir);
    const { CANARY_STAGE: _s, CANARY_API: _a, ...rest } = process.env;
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'apps/tutorial.ts'], { cwd: root, env: { ...rest, ...env, CDK8S_OUTDIR: dir }, encoding: 'utf8' });
    return { ...result, dir };
  }

  test('CANARY_API=gateway-api with CANARY_STAGE writes that stage as Gateway API objects', () => {
    const result = runApp({ CANARY_API: 'gateway-api', CANARY_STAGE: 'header-route' });
    expect([result.status, result.stderr, result.stdout]).toEqual([0, '', `synthesized stage header-route as Gateway API objects to ${result.dir}/\n`]);
    expect(readFileSync(join(result.dir, 'tutorial.k8s.yaml'), 'utf8')).toBe(readFileSync(join(__dirname, '..', '__snapshots__', 'tutorial-gateway-api', '04-header-route.yaml'), 'utf8'));
  });

  test('fails if CANARY_API is unknown, with the APIs listed and no stack trace', () => {
    const result = runApp({ CANARY_API: 'gamma' });
    expect([result.status, result.stderr]).toEqual([1, 'error: CANARY_API must be one of istio, gateway-api, got "gamma"\n']);
  });
});
