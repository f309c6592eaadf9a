/**
 * Benchmark of the mesh verification: `npm run bench`.
 *
 * First, whole syntheses (`app.synthYaml()`, which verifies the app once) of apps with 100 and
 * 300 websites built with the constructs.
 *
 * Generates N websites' worth of manifests (six objects each: Service, two Deployments, Gateway,
 * VirtualService with a header rule and a weighted rule, DestinationRule with two subsets) and
 * prints the median time of `verifyManifests` over several runs, for 1,000 and 10,000 sites, side
 * by side for two spreads: every site in one namespace, and each site in its own namespace (the
 * cost must not grow with the namespace count). It then times the whole command line (`verify` on
 * a YAML file of 1,000 sites, YAML parsing included) as a separate process, when the library has
 * been built (`npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { App, Chart } from 'cdk8s';
import { CanaryRelease, IstioEntry, Website, Weight } from '../lib';
import { errorsOf, verifyManifests } from '../lib/mesh/verify';

type Spread = 'one namespace' | 'a namespace each';
const SPREADS: Spread[] = ['one namespace', 'a namespace each'];

function site(i: number, spread: Spread): any[] {
  const ns = spread === 'one namespace' ? 'sites' : `site-${i}`;
  const app = `web-${i}`;
  const meta = (name: string) => ({ name, namespace: ns });
  const deployment = (version: string, replicas: number) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(`${app}-${version}`),
    spec: {
      replicas, selector: { matchLabels: { app, version } },
      template: { metadata: { labels: { app, version } }, spec: { containers: [{ name: 'web', image: `img:${version}` }] } },
    },
  });
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: meta(app), spec: { selector: { app }, ports: [{ name: 'http', port: 80 }] } },
    deployment('v1', 4),
    deployment('v2', 1),
    { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: meta(`${app}-gateway`), spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [`${app}.example.com`] }] } },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta(app),
      spec: {
        hosts: [`${app}.example.com`], gateways: [`${app}-gateway`],
        http: [
          { match: [{ headers: { qa: { exact: 'canary-test' } } }], route: [{ destination: { host: app, subset: 'v2' } }] },
          { route: [{ destination: { host: app, subset: 'v2' }, weight: 20 }, { destination: { host: app, subset: 'v1' }, weight: 80 }] },
        ],
      },
    },
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta(app), spec: { host: app, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] } },
  ];
}

function manifests(sites: number, spread: Spread): any[] {
  return Array.from({ length: sites }, (_, i) => site(i, spread)).flat();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function constructApp(sites: number): App {
  const app = new App({ outdir: tmpdir() });
  for (let i = 0; i < sites; i++) {
    const chart = new Chart(app, `site-${i}`);
    const website = new Website(chart, 'website', { serviceName: `web-${i}`, versions: [{ name: 'v1', image: 'img:1', replicas: 4 }, { name: 'v2', image: 'img:2' }] });
    const entry = new IstioEntry(chart, 'entry', { website, hosts: [`web-${i}.example.com`] });
    new CanaryRelease(chart, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20) });
  }
  return app;
}

for (const sites of [100, 300]) {
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const app = constructApp(sites);
    const start = performance.now();
    app.synthYaml();
    times.push(performance.now() - start);
  }
  console.log(`synthesis with verification: ${sites} sites in ${sites} charts (${sites * 6} objects): median ${median(times).toFixed(0)} ms over 3 runs`);
}

const RUNS = 7;
console.log(`verifyManifests, in process, median over ${RUNS} runs (min-max):`);
console.log(`${'sites'.padStart(7)} ${'objects'.padStart(8)} ${SPREADS.map((s) => s.padStart(24)).join(' ')}`);
for (const sites of [1_000, 10_000]) {
  const cells: string[] = [];
  for (const spread of SPREADS) {
    const objects = manifests(sites, spread);
    const times: number[] = [];
    let errors = 0;
    verifyManifests(objects); // warm-up, not counted: the first run compiles the code
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      errors = errorsOf(verifyManifests(objects)).length;
      times.push(performance.now() - start);
    }
    if (errors !== 0) {
      throw new Error(`the generated sites (${spread}) should verify cleanly, got ${errors} errors`);
    }
    cells.push(`${median(times).toFixed(0)} ms (${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)})`.padStart(24));
  }
  console.log(`${String(sites).padStart(7)} ${String(sites * 6).padStart(8)} ${cells.join(' ')}`);
}

const cli = join(__dirname, '..', 'build', 'lib', 'cli.js');
if (existsSync(cli)) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const file = join(dir, 'sites.yaml');
    writeFileSync(file, manifests(1_000, 'a namespace each').map((m) => stringify(m)).join('---\n'));
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      const start = performance.now();
      const result = spawnSync(process.execPath, [cli, 'verify', file], { encoding: 'utf8' });
      times.push(performance.now() - start);
      if (result.status !== 0) {
        throw new Error(`verify exited ${result.status}: ${result.stderr}`);
      }
    }
    console.log(`cdk8s-istio-canary verify, whole process, 1000 sites from one YAML file: median ${median(times).toFixed(0)} ms over 5 runs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  console.log('(run npm run build first to time the command line as a whole process)');
}
