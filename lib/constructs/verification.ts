import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MeshVerification } from './mesh-verification';
import { Finding, formatFinding, Severity } from '../mesh/findings';
import { errorsOf, verifyManifests } from '../mesh/verify';

/** One verification of a whole app, shared by the VirtualServices rendered in the same pass. */
interface Pass {
  readonly findings: Finding[];
  /** `kind/namespace/name` of each chart's objects. */
  readonly keysByChart: Map<Chart, Set<string>>;
  /** The verified objects rendered since; rendering one of them again starts a new pass. */
  readonly rendered: Set<ApiObject>;
}

// Set while a verification renders the app's objects, so that their own hooks do not recurse.
let verifying = false;
const passes = new WeakMap<IConstruct, Pass>();
// Warnings already printed, per app, so that each is printed once however often objects render.
const printed = new WeakMap<IConstruct, Set<string>>();

/**
 * Verifies the mesh around `object` when it is rendered, and throws if a request could be routed
 * to a gateway, host or subset that does not exist or selects no pods. Nothing is done for a chart
 * whose verification is off (`MeshVerification.disable`); Services and hosts declared with
 * `MeshVerification` are known to the checks.
 *
 * It runs inside `toJson()`, so `app.synth()`, `cdk8s synth` and `Testing.synth(chart)` all stop
 * on an error. Every chart of the app is indexed (a Service may live in another chart); findings
 * are reported for the objects of `object`'s chart. Warnings go to stderr and do not stop
 * synthesis.
 *
 * One synthesis renders each object once, so the app is verified once per synthesis, not once per
 * VirtualService: the verification is reused until an object it was reported to renders again,
 * which starts the next synthesis.
 *
 * @param object the object being rendered
 * @param rendered its own JSON, already rendered
 */
export function verifyOnRender(object: ApiObject, rendered: unknown): void {
  const chart = Chart.of(object);
  if (verifying || MeshVerification.isDisabled(chart)) {
    return;
  }
  const root = rootOf(chart);
  let pass = passes.get(root);
  if (pass === undefined || pass.rendered.has(object)) {
    pass = verifyApp(root, object, rendered);
    passes.set(root, pass);
  }
  pass.rendered.add(object);

  const local = pass.keysByChart.get(chart) ?? new Set<string>();
  const findings = pass.findings.filter((f) => local.has(`${f.kind}/${f.namespace}/${f.name}`));
  const errors = errorsOf(findings);
  if (errors.length > 0) {
    throw new Error(`mesh verification of chart "${chart.node.id}" failed:\n${errors.map((f) => `  ${formatFinding(f)}`).join('\n')}`);
  }
  const seen = printed.get(root) ?? new Set<string>();
  printed.set(root, seen);
  for (const f of findings.filter((x) => x.severity === Severity.WARNING)) {
    const line = formatFinding(f);
    if (!seen.has(line)) {
      seen.add(line);
      process.stderr.write(`${line}\n`);
    }
  }
}

function verifyApp(root: IConstruct, object: ApiObject, rendered: unknown): Pass {
  verifying = true;
  try {
    const manifests: any[] = [];
    const keysByChart = new Map<Chart, Set<string>>();
    for (const c of root.node.findAll().filter((x): x is Chart => Chart.isChart(x))) {
      const keys = new Set<string>();
      for (const o of c.node.findAll().filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === c)) {
        const json = o === object ? rendered : o.toJson();
        manifests.push(json);
        keys.add(`${json?.kind}/${json?.metadata?.namespace ?? 'default'}/${json?.metadata?.name}`);
      }
      keysByChart.set(c, keys);
    }
    // Declared as living outside the app: known to the checks, never reported on.
    manifests.push(...MeshVerification.externalManifests(root));
    return { findings: verifyManifests(manifests), keysByChart, rendered: new Set() };
  } finally {
    verifying = false;
  }
}

function rootOf(chart: Chart): IConstruct {
  try {
    return App.of(chart);
  } catch {
    return chart.node.root;
  }
}
