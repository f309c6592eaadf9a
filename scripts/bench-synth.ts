/**
 * Benchmark of the library's own share of synthesis: `npm run bench:synth` (part of `npm run bench`).
 *
 * Side by side in one process, alternating runs, the CPU time (user + system) of:
 * - the library: Website, IstioEntry and CanaryRelease for N sites, then `app.synthYaml()`
 *   (which also verifies the app once);
 * - a plain cdk8s app that writes exactly the same objects with `ApiObject` (their JSON taken from
 *   the library's output beforehand, so both apps synthesize the same YAML, checked).
 * The ratio is the library's median over the plain app's median. Two shapes: N sites in one chart,
 * and N charts of one site each (whose cost over the plain app must not grow faster than N).
 * Also timed apart: the library's own validation hook (the verification) in one synthesis, which
 * cdk8s calls once, then once per chart; it must grow linearly with the charts.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { CanaryRelease, IstioEntry, MeshVerification, Website, Weight } from '../lib';

type Shape = 'one chart' | 'one chart per site';

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

for (const [full, shape] of [[1_000, 'one chart'], [500, 'one chart per site'], [1_000, 'one chart per site']] as Array<[number, Shape]>) {
  const sites = Math.round(full * SCALE);
  // The plain app's input: the library's own objects, chart by chart. Each `chart.toJson()`
  // validates (and so verifies) the whole app: switched off here, where only the YAML counts.
  const reference = libraryApp(sites, shape);
  reference.charts.forEach((c) => MeshVerification.disable(c));
  const charts = reference.charts.map((c) => [c.node.id, c.toJson()] as [string, any[]]);
  const expected = reference.synthYaml();
  if (plainApp(charts).synthYaml() !== expected) {
    throw new Error('the plain app should synthesize exactly the library\'s YAML');
  }
  const library: number[] = [];
  const plain: number[] = [];
  const verification: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    library.push(cpuMillis(() => libraryApp(sites, shape).synthYaml()));
    plain.push(cpuMillis(() => plainApp(charts).synthYaml()));
    verification.push(verificationMillis(libraryApp(sites, shape)));
  }
  const ratio = median(library) / median(plain);
  console.log(`synthesis, ${sites} sites, ${shape} (${sites * 6} objects): library ${median(library).toFixed(0)} ms CPU, `
    + `plain cdk8s ApiObject app ${median(plain).toFixed(0)} ms, ratio ${ratio.toFixed(2)} (medians of ${RUNS}); `
    + `the library's verification hook, all ${charts.length + 1} of its calls: ${median(verification).toFixed(0)} ms`);
}
