import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../lib/cli';

const root = join(__dirname, '..');
const stage = (name: string) => join(__dirname, '__snapshots__', 'tutorial', `${name}.yaml`);
const step4 = join(__dirname, 'fixtures', 'tutorial-step4.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cli(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

describe('verify', () => {
  test('reports the tutorial\'s step 4 mistake as an error and exits 1', () => {
    const { code, stdout, stderr } = cli('verify', step4);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe('ERROR IST0101 VirtualService default/website-virtual-service: http rule 1 routes to subset "version-2" of host website.default.svc.cluster.local, but DestinationRule default/website does not define it (it defines "version-1"); every request this route takes fails with 503 until the subset exists: add the subset to the DestinationRule before routing to it');
    expect(stderr).toBe('verified 6 objects: 1 error, 0 warnings, 1 info\n');
  });

  test.each(['01-v1-only', '02-subset-v1', '03-canary-deployed', '04-header-route', '05-weighted'])('finds no error in the library\'s output for stage %s and exits 0', (name) => {
    const { code, stdout } = cli('verify', stage(name));
    expect(code).toBe(0);
    expect(stdout).not.toContain('ERROR');
  });

  test('--json prints the findings as objects with every field', () => {
    const { code, stdout } = cli('verify', '--json', step4);
    expect(code).toBe(1);
    const findings = JSON.parse(stdout);
    expect(findings[0]).toEqual({
      severity: 'error', code: 'unknown-subset', istioCode: 'IST0101', kind: 'VirtualService', namespace: 'default', name: 'website-virtual-service',
      message: expect.stringContaining('subset "version-2"'),
    });
    expect(findings[1]).toMatchObject({ severity: 'info', code: 'gateway-selects-no-workload' });
  });

  test('reads folders recursively, only their YAML and JSON files', () => {
    const dir = join(scratch, 'tree');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), '# not a manifest: {');
    writeFileSync(join(dir, 'nested', 'svc.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ name: 'http', port: 80 }] } }));
    writeFileSync(join(dir, 'list.yml'), 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n');
    const { code, stderr } = cli('verify', dir);
    expect(code).toBe(0);
    expect(stderr).toBe('verified 2 objects: 0 errors, 0 warnings, 0 infos\n');
  });

  test('exits 2 on malformed YAML, naming the file and line', () => {
    const file = join(scratch, 'bad.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n');
    const { code, stdout, stderr } = cli('verify', file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^verify: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: malformed YAML: `));
  });

  test('exits 2 on a document that is not an object, and on a missing file', () => {
    const file = join(scratch, 'scalar.yaml');
    writeFileSync(file, 'kind: Service\n---\njust text\n');
    expect(cli('verify', file)).toMatchObject({ code: 2, stderr: `verify: ${file}:3: expected a Kubernetes object (a mapping with apiVersion and kind), got string\n` });
    expect(cli('verify', join(scratch, 'nope.yaml'))).toMatchObject({ code: 2, stderr: `verify: ${join(scratch, 'nope.yaml')}: no such file or folder\n` });
  });

  test('exits 2 with usage on bad options or no files', () => {
    expect(cli('verify')).toMatchObject({ code: 2, stderr: expect.stringContaining('verify: give at least one file or folder') });
    expect(cli('verify', '--jsn', step4)).toMatchObject({ code: 2, stderr: expect.stringContaining('verify: unknown option --jsn') });
  });
});

describe('explain', () => {
  test('at the final stage, a plain request goes 20% to version-2 (1 pod) and 80% to version-1 (4 pods)', () => {
    const { code, stdout } = cli('explain', stage('05-weighted'));
    expect(code).toBe(0);
    expect(stdout).toBe([
      'request: GET /, host *, via default/website-gateway',
      'matched: VirtualService default/website-virtual-service, http rule 1: every request',
      '   20% -> subset version-2 of website.default.svc.cluster.local -> Deployment default/web-v2 (1 pod)',
      '   80% -> subset version-1 of website.default.svc.cluster.local -> Deployment default/web-v1 (4 pods)',
      '',
    ].join('\n'));
  });

  test('at the final stage, qa: canary-test is not matched any more', () => {
    const { stdout } = cli('explain', stage('05-weighted'), '--header', 'qa=canary-test');
    expect(stdout).toContain('http rule 1: every request');
    expect(stdout).toContain('   20% -> subset version-2');
    expect(stdout).toContain('note: no rule of VirtualService default/website-virtual-service tests header qa, so its value "canary-test" does not change where the request goes');
  });

  test('at header-route, qa: canary-test goes 100% to version-2, a plain request 100% to version-1', () => {
    expect(cli('explain', stage('04-header-route'), '--header', 'qa=canary-test', '--gateway', 'website-gateway').stdout).toBe([
      'request: GET /, host *, via default/website-gateway, headers qa: canary-test',
      'matched: VirtualService default/website-virtual-service, http rule 1: header qa exactly "canary-test"',
      '  100% -> subset version-2 of website.default.svc.cluster.local -> Deployment default/web-v2 (1 pod)',
      '',
    ].join('\n'));
    expect(cli('explain', stage('04-header-route'), '--header=qa=other').stdout).toContain('  100% -> subset version-1 of website.default.svc.cluster.local -> Deployment default/web-v1 (4 pods)');
  });

  test('--json gives the explanation as data', () => {
    const data = JSON.parse(cli('explain', '--json', stage('05-weighted')).stdout);
    expect(data.destinations.map((d: any) => [d.percent, d.subset, d.workloads.map((w: any) => [w.ref.name, w.replicas])])).toEqual([
      [20, 'version-2', [['web-v2', 1]]],
      [80, 'version-1', [['web-v1', 4]]],
    ]);
  });

  test('in-mesh requests to a VirtualService bound to the gateway only go to the Service directly', () => {
    const { code, stdout } = cli('explain', stage('05-weighted'), '--gateway', 'mesh', '--host', 'website');
    expect(code).toBe(0);
    expect(stdout).toContain('note: no VirtualService bound to mesh serves host website: the request goes to the Service directly, without Istio routing');
  });

  test('exits 2 on an unknown gateway or a malformed header', () => {
    expect(cli('explain', stage('05-weighted'), '--gateway', 'public')).toMatchObject({ code: 2, stderr: 'explain: no Gateway "public" in the manifests (they define default/website-gateway); use mesh for in-mesh requests\n' });
    expect(cli('explain', stage('05-weighted'), '--header', 'qa')).toMatchObject({ code: 2, stderr: expect.stringContaining('explain: --header takes NAME=VALUE, got "qa"') });
  });
});

describe('diagram', () => {
  test('draws gateway, rules with matches, subsets with weights and Deployments with replicas', () => {
    const { code, stdout } = cli('diagram', stage('04-header-route'));
    expect(code).toBe(0);
    expect(stdout).toMatchSnapshot();
    expect(stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(stdout).toContain('[/"Gateway default/website-gateway"/]');
    expect(stdout).toContain('{"rule 1<br/>header qa exactly #quot;canary-test#quot;"}');
    expect(stdout).toMatch(/n\d+ -->\|100%\| n\d+/);
    expect(stdout).toContain('[("Deployment default/web-v1<br/>4 replicas")]');
  });

  test('labels weighted edges with their shares', () => {
    const { stdout } = cli('diagram', stage('05-weighted'));
    expect(stdout).toMatch(/-->\|20%\| n\d+/);
    expect(stdout).toMatch(/-->\|80%\| n\d+/);
  });
});

describe('the command line', () => {
  test('--help on every command, to stdout, exit 0', () => {
    for (const command of ['verify', 'explain', 'diagram']) {
      const { code, stdout } = cli(command, '--help');
      expect(code).toBe(0);
      expect(stdout).toContain(`usage: cdk8s-istio-canary ${command}`);
    }
    expect(cli('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('commands:') });
  });

  test('no command or an unknown one: usage to stderr, exit 2', () => {
    expect(cli()).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('usage: cdk8s-istio-canary <command>') });
    expect(cli('lint', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "lint"') });
  });

  test('runs as a process and sets the exit code', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli.ts', 'verify', step4], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('ERROR IST0101');
  });
});
