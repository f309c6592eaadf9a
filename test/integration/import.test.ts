import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseManifests } from '../support/schema';

const root = join(__dirname, '..', '..');
// Istio 1.30.3's CRD bundle, as laid out in the development workspace (and in CI) next to the repo.
const bundle = join(root, '..', 'shared', 'istio', 'crd-all.gen.yaml');

describe('npm run import', () => {
  test.skipIf(!existsSync(bundle))('regenerates the committed imports/ exactly, without touching cdk8s.yaml', () => {
    // GIVEN
    const out = mkdtempSync(join(tmpdir(), 'imports-'));
    const cdk8sYaml = readFileSync(join(root, 'cdk8s.yaml'), 'utf8');
    try {
      // WHEN
      execFileSync('npm', ['run', '--silent', 'import', '--', bundle, '--output', out], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
      // THEN
      for (const file of ['networking.istio.io.ts', 'istio-networking-v1.crds.yaml']) {
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

  test('fails if the source lacks the CRDs, with a message and no stack trace', () => {
    const result = spawnSync('npm', ['run', '--silent', 'import', '--', join(root, 'cdk8s.yaml'), '--output', tmpdir()], { cwd: root, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('import failed: ');
    expect(result.stderr).toContain('lacks the CRDs gateways.networking.istio.io, virtualservices.networking.istio.io, destinationrules.networking.istio.io');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
