import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RECORD_FILE } from '../../lib/rollout/owned-folder';
import { parseManifests } from '../support/schema';

const root = join(__dirname, '..', '..');
// The CRD sources, as laid out in the development workspace (and in CI) next to the repo, or next
// to the folder of a git worktree.
const shared = [join(root, '..', 'shared'), join(root, '..', '..', 'shared')].find((dir) => existsSync(dir)) ?? join(root, '..', 'shared');
// Istio 1.30.3's CRD bundle.
const bundle = join(shared, 'istio', 'crd-all.gen.yaml');
// The Gateway API v1.5.1 standard channel's CRDs.
const gatewayApi = join(shared, 'gateway-api', 'standard-install-v1.5.1.yaml');

describe('npm run import', () => {
  test.skipIf(!existsSync(bundle) || !existsSync(gatewayApi))('regenerates the committed imports/ exactly, without touching cdk8s.yaml', () => {
    // GIVEN
    const out = mkdtempSync(join(tmpdir(), 'imports-'));
    const cdk8sYaml = readFileSync(join(root, 'cdk8s.yaml'), 'utf8');
    try {
      // WHEN
      execFileSync('npm', ['run', '--silent', 'import', '--', bundle, '--gateway-api', gatewayApi, '--output', out], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
      // THEN
      for (const file of ['networking.istio.io.ts', 'istio-networking-v1.crds.yaml', 'gateway.networking.k8s.io.ts', 'gateway-api-v1.crds.yaml', RECORD_FILE]) {
        expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(root, 'imports', file), 'utf8'));
      }
      expect(readFileSync(join(root, 'cdk8s.yaml'), 'utf8')).toBe(cdk8sYaml);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('keeps only the v1 Gateway, VirtualService and DestinationRule', () => {
    const crds = parseManifests(readFileSync(join(root, 'imports', 'istio-networking-v1.crds.yaml'), 'utf8'));
    expect(crds.map((crd) => crd.metadata.name)).toEqual([
      'destinationrules.networking.istio.io', 'gateways.networking.istio.io', 'virtualservices.networking.istio.io',
    ]);
    expect(crds.map((crd) => crd.spec.versions.map((v: { name: string }) => v.name))).toEqual([['v1'], ['v1'], ['v1']]);
    const generated = readFileSync(join(root, 'imports', 'networking.istio.io.ts'), 'utf8');
    expect([...generated.matchAll(/^export class (\w+)/gm)].map((m) => m[1])).toEqual(['DestinationRule', 'Gateway', 'VirtualService']);
  });

  test('keeps only the v1 Gateway and HTTPRoute of the Gateway API standard channel', () => {
    const crds = parseManifests(readFileSync(join(root, 'imports', 'gateway-api-v1.crds.yaml'), 'utf8'));
    expect(crds.map((crd) => crd.metadata.name)).toEqual(['gateways.gateway.networking.k8s.io', 'httproutes.gateway.networking.k8s.io']);
    expect(crds.map((crd) => crd.spec.versions.map((v: { name: string }) => v.name))).toEqual([['v1'], ['v1']]);
    expect(crds.map((crd) => crd.metadata.annotations['gateway.networking.k8s.io/channel'])).toEqual(['standard', 'standard']);
    expect(crds.map((crd) => crd.metadata.annotations['gateway.networking.k8s.io/bundle-version'])).toEqual(['v1.5.1', 'v1.5.1']);
    const generated = readFileSync(join(root, 'imports', 'gateway.networking.k8s.io.ts'), 'utf8');
    expect([...generated.matchAll(/^export class (\w+)/gm)].map((m) => m[1])).toEqual(['Gateway', 'HttpRoute']);
  });

  test('fails if the source lacks the CRDs, with a message and no stack trace', () => {
    const out = mkdtempSync(join(tmpdir(), 'imports-'));
    try {
      const result = spawnSync('npm', ['run', '--silent', 'import', '--', join(root, 'cdk8s.yaml'), '--output', out], { cwd: root, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('import failed: ');
      expect(result.stderr).toContain('lacks the CRDs gateways.networking.istio.io, virtualservices.networking.istio.io, destinationrules.networking.istio.io');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test.skipIf(!existsSync(bundle) || !existsSync(gatewayApi))('fails if --output is a folder with files it did not write, keeping them', () => {
    const out = mkdtempSync(join(tmpdir(), 'imports-'));
    try {
      writeFileSync(join(out, 'networking.istio.io.ts'), 'mine');
      const result = spawnSync('npm', ['run', '--silent', 'import', '--', bundle, '--gateway-api', gatewayApi, '--output', out], { cwd: root, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`import failed: npm run import: refusing to write into ${out}: the folder is not empty and npm run import did not write it`);
      expect(readdirSync(out)).toEqual(['networking.istio.io.ts']);
      expect(readFileSync(join(out, 'networking.istio.io.ts'), 'utf8')).toBe('mine');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test.skipIf(!existsSync(bundle))('fails if the Gateway API source lacks the CRDs, with a message, no stack trace and no file written', () => {
    const out = mkdtempSync(join(tmpdir(), 'imports-'));
    try {
      const result = spawnSync('npm', ['run', '--silent', 'import', '--', bundle, '--gateway-api', bundle, '--output', out], { cwd: root, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('lacks the CRDs gateways.gateway.networking.k8s.io, httproutes.gateway.networking.k8s.io');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
