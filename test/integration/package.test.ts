import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseManifests, schemaErrors } from '../support/schema';

const root = join(__dirname, '..', '..');

/**
 * Packs the library as `npm publish` would, installs the tarball into a scratch project next to
 * its peer dependencies, and uses it there the way another chart would: through its public entry
 * point, compiled against its published type declarations.
 */
describe('the npm package', () => {
  let work: string;
  let files: string[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'canary-package-'));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
    files = packed[0].files.map((f: { path: string }) => f.path);
    const modules = join(work, 'consumer', 'node_modules');
    const target = join(modules, 'cdk8s-istio-canary');
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(work, packed[0].filename), '-C', target, '--strip-components=1']);
    for (const peer of ['cdk8s', 'cdk8s-plus-27', 'constructs', '@types', '@bufbuild', 'js-yaml', 'argparse']) {
      symlinkSync(join(root, 'node_modules', peer), join(modules, peer));
    }
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('holds the compiled library, its type declarations, the generated imports and the README, not the sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining([
      'package.json', 'README.md',
      'build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/constructs/website.js', 'build/lib/constructs/canary-release.d.ts',
      'build/imports/networking.istio.io.js', 'build/imports/networking.istio.io.d.ts', 'build/lib/cli/main.js',
    ]));
    expect(files.filter((f) => /^(test|apps|scripts|lib|imports)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  test('main, types and exports point at files in the package', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(files).toContain(pkg.main);
    expect(files).toContain(pkg.types);
    expect(files).toContain(pkg.exports['.'].default.replace(/^\.\//, ''));
    expect(files).toContain(pkg.exports['.'].types.replace(/^\.\//, ''));
  });

  test('leaves the checkout\'s own command line executable after packing', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(statSync(join(root, pkg.bin['cdk8s-istio-canary'])).mode & 0o111).toBe(0o111);
  });

  test('ships the command line as the package\'s bin, runnable with node', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const bin = join(work, 'consumer', 'node_modules', 'cdk8s-istio-canary', pkg.bin['cdk8s-istio-canary']);
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const result = spawnSync(process.execPath, [bin, 'verify', join(__dirname, '..', 'fixtures', 'tutorial-step4.yaml')], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('ERROR IST0101 VirtualService default/website-virtual-service');
  });

  test('another chart compiles against the package and synthesizes a valid release with it', () => {
    // GIVEN a consumer project that imports the package by name
    const consumer = join(work, 'consumer');
    writeFileSync(join(consumer, 'chart.ts'), `
import { App, Chart } from 'cdk8s';
import { CanaryRelease, IstioEntry, RequestMatch, Website, Weight } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'shop');
const website = new Website(chart, 'web', { serviceName: 'shop' });
website.addVersion({ name: 'v1', image: 'shop:1.0', replicas: 3 });
website.addVersion({ name: 'v2', image: 'shop:1.1' });
const entry = new IstioEntry(chart, 'entry', { website, hosts: ['shop.example.com'] });
new CanaryRelease(chart, 'release', {
  website, entry, stable: 'v1', canary: 'v2',
  canaryMatches: [RequestMatch.header('x-canary', 'always')],
  canaryWeight: Weight.percent(10),
});
process.stdout.write(app.synthYaml());
`);
    // WHEN it is compiled with the package's declarations and run with node
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node',
      '--outDir', 'out', 'chart.ts'], { cwd: consumer, encoding: 'utf8' });
    const yaml = execFileSync(process.execPath, ['out/chart.js'], { cwd: consumer, encoding: 'utf8' });
    // THEN
    const manifests = parseManifests(yaml);
    expect(manifests.map((m) => m.kind)).toEqual(['Service', 'Deployment', 'Deployment', 'Gateway', 'VirtualService', 'DestinationRule']);
    expect(manifests.flatMap(schemaErrors)).toEqual([]);
    const vs = manifests.find((m) => m.kind === 'VirtualService');
    expect(vs.spec.http[1].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['v2', 10], ['v1', 90]]);
  });
});
