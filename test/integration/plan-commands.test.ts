import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { tutorialPlan } from '../../apps/plan';

/*
 * plan.md's commands run by bash, with a stand-in `kubectl` and `sleep` that only record their
 * arguments: what an operator who pastes a stage's block runs.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The bash block of `stage` in plan.md. */
function block(markdown: string, stage: string): string {
  const start = markdown.indexOf('```bash\n', markdown.indexOf(`## ${stage}\n`)) + '```bash\n'.length;
  return markdown.slice(start, markdown.indexOf('```', start));
}

/** Runs `script` with stand-ins that record every call; `kubectl rollout status` fails when told. */
function run(script: string, rolloutFails: boolean): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'plan-commands-'));
  dirs.push(dir);
  const calls = join(dir, 'calls');
  writeFileSync(calls, '');
  for (const tool of ['kubectl', 'sleep']) {
    const fail = tool === 'kubectl' && rolloutFails ? 'if [ "$1" = rollout ]; then exit 1; fi\n' : '';
    writeFileSync(join(dir, tool), `#!/bin/sh\necho "${tool} $*" >> "${calls}"\n${fail}exit 0\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  const result = spawnSync('bash', ['-c', script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return readFileSync(calls, 'utf8').trim().split('\n');
}

describe('plan.md\'s commands, run by bash', () => {
  const markdown = tutorialPlan().markdown('the tutorial');

  test('run every step of a stage when each succeeds', () => {
    // GIVEN the stage that deploys the canary and then moves the route (header route)
    const calls = run(block(markdown, '03-canary-deployed') + block(markdown, '04-header-route'), false);
    expect(calls).toEqual([
      'sleep 20', 'kubectl apply -f 03-canary-deployed/1-prepare.yaml', 'kubectl rollout status deployment/web-v2 -n default --timeout=5m',
      'sleep 20', 'kubectl apply -f 04-header-route/2-route.yaml',
    ]);
  });

  test('stop a stage at a rollout that does not become ready: its route is not applied', () => {
    // GIVEN a stage whose canary Deployment never becomes ready
    const calls = run(block(markdown, '01-v1-only'), true);
    // THEN nothing after the failed wait runs
    expect(calls).toEqual(['kubectl apply -f 01-v1-only/1-prepare.yaml', 'kubectl rollout status deployment/web-v1 -n default --timeout=5m']);
    expect(block(markdown, '01-v1-only')).toContain('kubectl apply -f 01-v1-only/2-route.yaml');
  });
});
