/**
 * Benchmark of the library's own share of synthesis: `npm run bench:synth` (part of `npm run bench`).
 *
 * Side by side in one process, alternating runs, the CPU time (user + system) of:
 * - the library: Website, IstioEntry and CanaryRelease for N sites, then `app.synthYaml()`
 *   (which also verifies the app once);
 * - a plain cdk8s app that writes exactly the same objects with `ApiObject` (their JSON taken from
 *   the library's output beforehand, so both apps synthesize the same YAML, checked);
 * - a cdk8s-plus-27 app that builds the Services and Deployments with cdk8s-plus as the library
 *   does, every other object an `ApiObject` (the same YAML, checked): what the library costs
 *   beyond cdk8s-plus.
 * The ratios are the library's median over each app's median. Shapes: N sites in one chart, the
 * N websites alone (no routes), and N charts of one site each (whose cost over the other apps must
 * not grow faster than N); `BENCH_SHAPES` picks some (comma-separated), `BENCH_RUNS` and
 * `BENCH_SCALE` set the runs and the size. Also timed apart: the library's own validation hook
 * (the verification, rendering included) in one synthesis, which cdk8s calls once, then once per
 * chart; it must grow linearly with the charts.
 */
import { ApiObject, App, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CanaryRelease, IstioEntry, MeshVerification, Website, Weight } from '../lib';

type Shape = 'one chart' | 'one chart per site' | 'websites only';

function libraryApp(sites: number, shape: Shape): App {
  const app = new App({ outdir: 'unused' });
  let chart: Chart | undefined;
  for (let i = 0; i < sites; i++) {
    if (chart === undefined || shape === 'one chart per site') {
      chart = new Chart(app, shape === 'one chart' ? 'sites' : `site-${i}`, { namespace: 'shop' });
    }
    const website = new Website(chart, `website-${i}`, {
      serviceName: `web-${i}`, versions: [{ name: 'v1', image: 'img:1', replicas: 4 }, { name: 'v2', image: 'img:2' }],
    });
    if (shape === 'websites only') {
      // The Service and Deployments alone (cdk8s-plus-27 builds them), without routes to verify.
      continue;
    }
    const entry = new IstioEntry(chart, `entry-${i}`, { website, hosts: [`web-${i}.example.com`] });
    new CanaryRelease(chart, `release-${i}`, { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20) });
  }
  return app;
}

/** The same objects, chart by chart, as plain `ApiObject`s. */
function plainApp(objectsByChart: ReadonlyArray<[string, any[]]>): App {
  const app = new App({ outdir: 'unused' });
  for (const [id, objects] of objectsByChart) {
    const chart = new Chart(app, id);
    objects.forEach((object, n) => new ApiObject(chart, `o${n}`, object));
  }
  return app;
}

/** An object of the reference app: its JSON, and for a website's Service or Deployment, where it sits. */
interface Written {
  readonly json: any;
  /** The website's construct id, and `service` or the version's name. */
  readonly website?: readonly [string, string];
}

/** The objects of each chart of `app` (synthesized with its verification off), in output order. */
function writtenObjects(app: App): Array<[string, Written[]]> {
  return app.charts.map((chart) => {
    const where = new Map<string, readonly [string, string]>();
    for (const c of chart.node.findAll()) {
      if (c instanceof Website) {
        where.set(`Service/${c.serviceName}`, [c.node.id, 'service']);
        c.versions.forEach((v) => where.set(`Deployment/${v.deployment.name}`, [c.node.id, v.name]));
      }
    }
    return [chart.node.id, chart.toJson().map((json) => {
      const website = where.get(`${json.kind}/${json.metadata.name}`);
      return website === undefined ? { json } : { json, website };
    })];
  });
}

/**
 * The same objects as a cdk8s-plus-27 app writes them: each website's Service and Deployments
 * built with cdk8s-plus as the library builds them (at the same construct paths, so with the same
 * generated names), every other object a plain `ApiObject`. Whatever the library does, its
 * websites cost what this app's do; the ratio to it is the library's share beyond cdk8s-plus.
 */
function kplusApp(written: ReadonlyArray<[string, Written[]]>): App {
  const app = new App({ outdir: 'unused' });
  for (const [id, objects] of written) {
    const chart = new Chart(app, id, { namespace: 'shop' });
    const scopes = new Map<string, Construct>();
    objects.forEach(({ json, website }, n) => {
      if (website === undefined) {
        new ApiObject(chart, `o${n}`, json);
        return;
      }
      const [site, version] = website;
      const scope = scopes.get(site) ?? new Construct(chart, site);
      scopes.set(site, scope);
      if (version === 'service') {
        new kplus.Service(scope, 'Resource', {
          metadata: { name: json.metadata.name },
          ports: [{ port: 80, targetPort: 80, name: 'http', protocol: kplus.Protocol.TCP }],
        }).selectLabel('app', json.metadata.name);
        return;
      }
      const labels = json.spec.template.metadata.labels;
      const deployment = new kplus.Deployment(scope, version, {
        metadata: { labels: json.metadata.labels },
        replicas: json.spec.replicas,
        select: false,
        podMetadata: { labels },
        containers: [{
          name: version,
          image: json.spec.template.spec.containers[0].image,
          ports: [{ number: 80, name: 'http' }],
          resources: {
            cpu: { request: kplus.Cpu.millis(1000), limit: kplus.Cpu.millis(1500) },
            memory: { request: Size.mebibytes(512), limit: Size.mebibytes(2048) },
          },
          readiness: kplus.Probe.fromHttpGet('/', { port: 80 }),
        }],
      });
      deployment.select(kplus.LabelSelector.of({ labels }));
      ApiObject.of(deployment).addJsonPatch(
        JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
        JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
        JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
      );
    });
  }
  return app;
}

function cpuMillis(body: () => void): number {
  const start = process.cpuUsage();
  body();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * The CPU time of the library's validation (the mesh verification) in one `app.synthYaml()`,
 * which cdk8s runs once, then once per chart.
 */
function verificationMillis(app: App): number {
  const node = app.node.tryFindChild('cdk8s-istio-canary.MeshVerification')!.node;
  const validate = node.validate.bind(node);
  let total = 0;
  node.validate = () => {
    const start = process.cpuUsage();
    try {
      return validate();
    } finally {
      const used = process.cpuUsage(start);
      total += (used.user + used.system) / 1000;
    }
  };
  app.synthYaml();
  return total;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SCALE = Number(process.env.BENCH_SCALE ?? 1);

const SHAPES: Array<[number, Shape]> = [[1_000, 'one chart'], [1_000, 'websites only'], [500, 'one chart per site'], [1_000, 'one chart per site']];
const ONLY = process.env.BENCH_SHAPES?.split(',');

for (const [full, shape] of SHAPES.filter(([, s]) => ONLY === undefined || ONLY.includes(s))) {
  const sites = Math.round(full * SCALE);
  // The plain app's input: the library's own objects, chart by chart. Each `chart.toJson()`
  // validates (and so verifies) the whole app: switched off here, where only the YAML counts.
  const reference = libraryApp(sites, shape);
  reference.charts.forEach((c) => MeshVerification.disable(c));
  const written = writtenObjects(reference);
  const charts = written.map(([id, objects]) => [id, objects.map((o) => o.json)] as [string, any[]]);
  const expected = reference.synthYaml();
  if (plainApp(charts).synthYaml() !== expected) {
    throw new Error('the plain app should synthesize exactly the library\'s YAML');
  }
  if (kplusApp(written).synthYaml() !== expected) {
    throw new Error('the cdk8s-plus app should synthesize exactly the library\'s YAML');
  }
  if (libraryApp(sites, shape).synthYaml() !== expected) {
    throw new Error('the library should synthesize the same YAML whether verified or not');
  }
  const library: number[] = [];
  const plain: number[] = [];
  const withKplus: number[] = [];
  const verification: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    library.push(cpuMillis(() => libraryApp(sites, shape).synthYaml()));
    plain.push(cpuMillis(() => plainApp(charts).synthYaml()));
    withKplus.push(cpuMillis(() => kplusApp(written).synthYaml()));
    verification.push(verificationMillis(libraryApp(sites, shape)));
  }
  const objects = charts.reduce((n, [, o]) => n + o.length, 0);
  console.log(`synthesis, ${sites} sites, ${shape} (${objects} objects): library ${median(library).toFixed(0)} ms CPU; `
    + `plain cdk8s ApiObject app ${median(plain).toFixed(0)} ms, ratio ${(median(library) / median(plain)).toFixed(2)}; `
    + `cdk8s-plus-27 app ${median(withKplus).toFixed(0)} ms, ratio ${(median(library) / median(withKplus)).toFixed(2)} (medians of ${RUNS}); `
    + `the library's verification hook, all ${charts.length + 1} of its calls: ${median(verification).toFixed(0)} ms`);
}
