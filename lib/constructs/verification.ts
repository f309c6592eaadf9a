import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Finding, formatFinding, Severity } from '../mesh/findings';
import { Manifest } from '../mesh/manifests';
import { errorsOf, verifyManifests } from '../mesh/verify';
import { DEFAULT_NAMESPACE } from '../model/names';

/** The id of the app's verification, a construct at the root of the app. */
const ID = 'cdk8s-istio-canary.MeshVerification';

/**
 * The verification made by a validation, and how long it holds.
 *
 * cdk8s validates the whole app once per `Testing.synth(chart)` or `chart.toJson()`, and
 * `app.synth()` and `app.synthYaml()` validate it once, then once more per chart (each chart's
 * `toJson()`), with nothing rendered between the first two: that pattern is what tells one
 * synthesis of the whole app from several syntheses of one chart.
 */
interface Pass {
  /** Set at the second validation of `app.synth()` or `app.synthYaml()`. */
  wholeApp: boolean;
  /** Validations of the charts still to come in the same synthesis of the whole app. */
  remaining: number;
  /** Whether an object of the library has been rendered since the verification. */
  rendered: boolean;
  /**
   * Whether every chart has an object that tells when it is rendered: otherwise the synthesis of
   * such a chart alone cannot be told from the start of a synthesis of the whole app.
   */
  readonly reusable: boolean;
  /** Charts of the app when it was verified. */
  readonly charts: number;
}

/**
 * The synthesis-time verification of one app: a construct at the root of the app whose cdk8s
 * validation (`node.addValidation`) verifies the mesh of every chart that has routes of this
 * library (an Istio VirtualService, or Gateway API HTTPRoutes), and throws if a request could be routed to a gateway, host or
 * subset that does not exist or selects no pods. Every chart of the app is indexed (a Service may
 * live in another chart); findings are reported for the charts verified, each error naming its
 * chart. Warnings go to stderr, each once per app, and do not stop synthesis.
 *
 * cdk8s runs the validations of the whole app at `app.synth()`, `app.synthYaml()`,
 * `chart.toJson()` and `Testing.synth(chart)`, so all of them stop on an error. The validation
 * throws the findings rather than returning them, so that the message is the findings themselves,
 * not wrapped in cdk8s's list of construct paths.
 *
 * One synthesis verifies the app once, however many charts it has: `app.synth()` and
 * `app.synthYaml()` run the validations once, then once per chart, and the verification of the
 * first is reused by the others. Every other validation (another `Testing.synth(chart)`, after a
 * change or not) verifies again. Telling them apart takes every chart to have an Istio object of
 * this library, which says when it is rendered; in an app with a chart that has none (only
 * websites, say), every validation verifies again.
 *
 * One synthesis renders each object of this library once: the verification renders every object
 * of the app to check it, and the objects it adopted (see `adopt`) hand that rendering to the
 * output that follows, instead of rendering themselves again.
 *
 * All its state is held here, per app: charts whose verification is off, Services and hosts
 * declared as living outside the app, warnings printed, the last verification and its renderings.
 */
export class AppVerification extends Construct {
  /** The verification of `scope`'s app, made on first use. */
  public static of(scope: IConstruct): AppVerification {
    const root = scope.node.root;
    return AppVerification.find(scope) ?? new AppVerification(root, ID);
  }

  /** The verification of `scope`'s app, if anything made it. */
  public static find(scope: IConstruct): AppVerification | undefined {
    const found = scope.node.root.node.tryFindChild(ID);
    return found instanceof AppVerification ? found : undefined;
  }

  /** Charts with routes of this library, in the order they got one. */
  private readonly routing = new Set<Chart>();
  /** Charts with an object that tells when it is rendered (see `rendered`). */
  private readonly observed = new Set<Chart>();
  private readonly disabled = new Set<Chart>();
  private readonly declared: Manifest[] = [];
  private readonly printed = new Set<string>();
  private pass: Pass | undefined;
  /** The JSON of each object as the last verification rendered it, until its output takes it. */
  private readonly renders = new Map<ApiObject, unknown>();
  /** The objects adopted: the only ones whose output takes the verification's rendering. */
  private readonly adopted = new WeakSet<ApiObject>();
  /** The chart whose objects are being rendered since the last validation, if any. */
  private renderingChart: Chart | undefined;
  private verifying = false;
  private warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

  private constructor(root: IConstruct, id: string) {
    super(root as Construct, id);
    this.node.addValidation({ validate: () => this.validate() });
  }

  /**
   * Makes `object`, an object of this library, part of the verification of its app:
   * - `routes`: its chart is verified at every synthesis (unless it is disabled);
   * - `tellsRendering`: it tells the verification when it is rendered (see `rendered`), which
   *   lets one synthesis of the whole app verify the app only once.
   *
   * Whatever the role, the object's output takes the JSON that the verification rendered for it
   * in the same synthesis (see `takeRendering`) instead of rendering it a second time.
   */
  public adopt(object: ApiObject, role: { readonly routes?: boolean; readonly tellsRendering?: boolean } = {}): void {
    const chart = Chart.of(object);
    if (role.routes === true) {
      this.routing.add(chart);
    }
    if (role.tellsRendering === true) {
      this.observed.add(chart);
    }
    this.adopted.add(object);
    const render = object.toJson.bind(object);
    object.toJson = () => {
      if (role.tellsRendering === true) {
        this.rendered();
      }
      return this.takeRendering(object, chart) ?? render();
    };
  }

  /** Sends each warning of the app (a finding's line, each once) to `sink` instead of stderr. */
  public reportWarnings(sink: (line: string) => void): void {
    this.warn = sink;
  }

  /** Turns the verification off for `chart`. */
  public disable(chart: Chart): void {
    this.disabled.add(chart);
  }

  /** Whether the verification is off for `chart`. */
  public isDisabled(chart: Chart): boolean {
    return this.disabled.has(chart);
  }

  /** Declares a manifest of something that lives outside the app (never synthesized). */
  public declare(manifest: Manifest): void {
    this.declared.push(manifest);
  }

  /** What the app declares as living outside it. */
  public get declarations(): Manifest[] {
    return [...this.declared];
  }

  /**
   * Tells the verification that an object of this library was rendered: a validation that
   * follows belongs to another synthesis, unless the app's synthesis is under way.
   */
  private rendered(): void {
    if (this.pass !== undefined) {
      this.pass.rendered = true;
    }
  }

  /**
   * The JSON that the verification rendered for `object` in the validation just made, if the
   * object cannot have changed since: the output of the same synthesis, which follows the
   * validation with nothing in between. Each rendering is given out once.
   *
   * Validations only check, as cdk8s intends: one that changed an object while the app is
   * validated would not reach the output.
   *
   * cdk8s renders a chart's objects right after validating the app, one chart at a time. So the
   * rendering is given out only to a run of objects of one chart that starts at a validation: an
   * object of another chart rendered before the next validation (code of the user's that runs
   * after a synthesis, say) ends the run, and every rendering kept is dropped.
   */
  private takeRendering(object: ApiObject, chart: Chart): unknown {
    if (this.verifying) {
      return undefined;
    }
    if (this.renderingChart !== undefined && this.renderingChart !== chart) {
      this.renders.clear();
    }
    this.renderingChart = chart;
    const json = this.renders.get(object);
    this.renders.delete(object);
    return json;
  }

  private validate(): string[] {
    this.renderingChart = undefined;
    const pass = this.pass;
    if (pass !== undefined && pass.reusable && !pass.wholeApp && !pass.rendered) {
      // The second validation with nothing rendered in between: `app.synth()` or
      // `app.synthYaml()`, whose charts each validate the app once more.
      pass.wholeApp = true;
      pass.remaining = pass.charts - 1;
      return [];
    }
    if (pass !== undefined && pass.wholeApp && pass.remaining > 0) {
      pass.remaining--;
      return [];
    }
    this.pass = undefined;
    this.renders.clear();
    let charts: Chart[];
    this.verifying = true;
    try {
      charts = this.verify();
    } catch (e) {
      this.renders.clear();
      throw e;
    } finally {
      this.verifying = false;
    }
    const current: Pass = { wholeApp: false, remaining: 0, rendered: false, charts: charts.length, reusable: charts.every((c) => this.observed.has(c)) };
    this.pass = current;
    // A synthesis runs in one go: the next turn of the event loop starts afresh in any case.
    queueMicrotask(() => {
      if (this.pass === current) {
        this.pass = undefined;
        this.renders.clear();
      }
    });
    return [];
  }

  /** Verifies the app; returns its charts. */
  private verify(): Chart[] {
    // Every object of the app, chart by chart, in the order of the construct tree.
    const objectsByChart = new Map<Chart, ApiObject[]>();
    for (const c of this.node.root.node.findAll()) {
      if (Chart.isChart(c)) {
        objectsByChart.set(c, []);
      } else if (ApiObject.isApiObject(c)) {
        objectsByChart.get(Chart.of(c))?.push(c);
      }
    }
    const reported = [...this.routing].filter((c) => !this.disabled.has(c) && objectsByChart.has(c));
    if (reported.length === 0) {
      return [...objectsByChart.keys()];
    }
    const manifests: Manifest[] = [];
    const chartsByKey = new Map<string, Chart[]>();
    const reportedSet = new Set(reported);
    for (const [chart, objects] of objectsByChart) {
      for (const o of objects) {
        const json = o.toJson();
        if (this.adopted.has(o)) {
          // Only adopted objects take their rendering back (see takeRendering).
          this.renders.set(o, json);
        }
        manifests.push(json);
        if (reportedSet.has(chart)) {
          const key = `${json?.kind}/${json?.metadata?.namespace ?? DEFAULT_NAMESPACE}/${json?.metadata?.name}`;
          const charts = chartsByKey.get(key) ?? [];
          chartsByKey.set(key, charts);
          charts.push(chart);
        }
      }
    }
    // Declared as living outside the app: known to the checks, never reported on.
    manifests.push(...this.declared);
    const findingsByChart = new Map<Chart, Finding[]>();
    for (const f of verifyManifests(manifests)) {
      for (const chart of new Set(chartsByKey.get(`${f.kind}/${f.namespace}/${f.name}`) ?? [])) {
        const findings = findingsByChart.get(chart) ?? [];
        findingsByChart.set(chart, findings);
        findings.push(f);
      }
    }
    const failures: string[] = [];
    for (const chart of reported) {
      const errors = errorsOf(findingsByChart.get(chart) ?? []);
      if (errors.length > 0) {
        failures.push(`mesh verification of chart "${chart.node.id}" failed:\n${errors.map((f) => `  ${formatFinding(f)}`).join('\n')}`);
      }
    }
    if (failures.length > 0) {
      throw new Error(failures.join('\n'));
    }
    for (const chart of reported) {
      for (const f of (findingsByChart.get(chart) ?? []).filter((x) => x.severity === Severity.WARNING)) {
        const line = formatFinding(f);
        if (!this.printed.has(line)) {
          this.printed.add(line);
          this.warn(line);
        }
      }
    }
    return [...objectsByChart.keys()];
  }
}
