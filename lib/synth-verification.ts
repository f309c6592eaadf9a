import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { errorsOf, verifyManifests } from './mesh/verify';
import { formatFinding, Severity } from './mesh/findings';

// Set while a verification renders the app's objects, so that their own hooks do not recurse.
let verifying = false;
// Warnings already printed, per app, so that each is printed once however often objects render.
const printed = new WeakMap<object, Set<string>>();

/**
 * Verifies the mesh around `object` when it is rendered, and throws if a request could be routed
 * to a gateway, host or subset that does not exist or selects no pods.
 *
 * It runs inside `toJson()`, so `app.synth()`, `cdk8s synth` and `Testing.synth(chart)` all stop
 * on an error. Every chart of the app is indexed (a Service may live in another chart); findings
 * are reported for the objects of `object`'s chart. Warnings go to stderr and do not stop synthesis.
 *
 * @param object the object being rendered
 * @param rendered its own JSON, already rendered
 */
export function verifyOnRender(object: ApiObject, rendered: unknown): void {
  if (verifying) {
    return;
  }
  verifying = true;
  try {
    const chart = Chart.of(object);
    const root = rootOf(chart);
    const manifests: any[] = [];
    const local = new Set<string>();
    for (const c of chartsOf(root)) {
      for (const o of apiObjectsOf(c)) {
        const json = o === object ? rendered : o.toJson();
        manifests.push(json);
        if (c === chart) {
          local.add(keyOf(json));
        }
      }
    }
    const findings = verifyManifests(manifests).filter((f) => local.has(`${f.kind}/${f.namespace}/${f.name}`));
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
  } finally {
    verifying = false;
  }
}

function keyOf(json: any): string {
  return `${json?.kind}/${json?.metadata?.namespace ?? 'default'}/${json?.metadata?.name}`;
}

function rootOf(chart: Chart): IConstruct {
  try {
    return App.of(chart);
  } catch {
    return chart.node.root;
  }
}

function chartsOf(root: IConstruct): Chart[] {
  return root.node.findAll().filter((c): c is Chart => Chart.isChart(c));
}

function apiObjectsOf(chart: Chart): ApiObject[] {
  return chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart);
}
