import { posix } from 'node:path';
import { App, Chart, Duration, Yaml } from 'cdk8s';
import { CanaryRelease, CanaryReleaseProps, MeshRouting } from '../constructs/canary-release';
import { IstioEntry, IstioEntryProps } from '../constructs/istio-entry';
import { explain, Explanation } from '../mesh/explain';
import { Manifest } from '../mesh/manifests';
import { groupOf } from '../mesh/shape';
import { Percentage } from '../model/percentage';
import { TrafficApi, unsupportedFeature, USE_ISTIO_API } from '../model/traffic-api';
import { SYNC_WAVE_ANNOTATION, SYNC_WAVES, withSyncWaves } from './argocd';
import { checkMaxPodLoad } from '../model/capacity';
import { PlannedStages, planStages, StageState } from './stages';
import { RolloutStep, RolloutStepKind } from './steps';
import { Phase, PhaseKind, planTransition } from './transition';
import { hasCanaryOnlyRule, mirrorFits } from '../model/routing';
import { writeOwnedFolder } from './owned-folder';
import { checkDnsLabel, checkDnsSubdomain, checkEnum } from '../model/validate';
import { checkDuration, DurationKind } from '../model/duration';
import { DEFAULT_NAMESPACE } from '../model/names';
import { AppVerification } from '../constructs/verification';
import { Website, WebsiteProps } from '../constructs/website';

/** Props of a `RolloutPlan`. */
export interface RolloutPlanProps {
  /** The website, with every version the plan uses among its `versions`. */
  readonly website: WebsiteProps;

  /**
   * The entry, as for `IstioEntry` (without `website`).
   * @default - IstioEntry's defaults
   */
  readonly entry?: Omit<IstioEntryProps, 'website'>;

  /**
   * Name of the DestinationRule.
   * @default - derived from the construct path, as cdk8s names objects
   */
  readonly destinationRuleName?: string;

  /**
   * Namespace of every object.
   * @default 'default'
   */
  readonly namespace?: string;

  /**
   * Id of each stage's chart (object names derive from it unless given).
   * @default 'release'
   */
  readonly chartId?: string;

  /** The version in production when the plan starts. */
  readonly stable: string;

  /** The version being released. */
  readonly canary: string;

  /** The steps, in order; each becomes a stage. */
  readonly steps: RolloutStep[];

  /**
   * Refuse a `promote` that no weight step precedes.
   * @default false
   */
  readonly requireTrafficBeforePromote?: boolean;

  /**
   * How long `plan.md` pauses between phases, for istiod to push the change to every proxy:
   * istiod batches changes for up to 10 s (`PILOT_DEBOUNCE_MAX`) before it pushes them.
   * @default Duration.seconds(20)
   */
  readonly pauseBetweenPhases?: Duration;

  /**
   * How long `plan.md` pauses between stages (the next stage may remove what the previous one's
   * routes just stopped naming).
   * @default - as `pauseBetweenPhases`
   */
  readonly pauseBetweenStages?: Duration;

  /**
   * The release's other options, as for `CanaryRelease`: mirroring, sticky sessions, timeout,
   * retries, faults, traffic policies, mesh routing. Those that need a canary apply at the stages
   * that have one; `mirrorToCanary` at the stages where a rule carries only stable traffic (no
   * weighted split, or a split with `stickySession`), never from `rollback` on; `canaryFault` at
   * the stages with a route only the canary takes.
   * @default - CanaryRelease's defaults
   */
  readonly release?: PlanReleaseOptions;

  /**
   * How many times a stable pod's share before the release (every request over its pods) a pod
   * may carry at any moment of the plan. The plan sizes the canary for its share; a step's
   * explicit `canaryReplicas` below what its share needs is refused unless this is raised.
   * @default 1
   */
  readonly maxPodLoad?: number;

  /**
   * Scale the stable version down as its share shrinks (after the routes moved, at least 1 pod),
   * and back up before its share grows again, as Argo Rollouts' dynamic stable scale does. Not
   * with `release.stickySession`: users pinned to the stable keep coming back to it.
   * @default false - the stable version keeps all its pods until `finalize`
   */
  readonly scaleDownStable?: boolean;
}

/** The options of a `CanaryRelease` that a plan passes on to every stage's release. */
export type PlanReleaseOptions = Omit<CanaryReleaseProps,
'website' | 'entry' | 'stable' | 'canary' | 'canaryMatches' | 'canaryWeight' | 'destinationRuleName' | 'maxPodLoad'>;

/** How `RolloutPlan.write` lays the stages out. */
export enum PlanLayout {
  /** A file per phase in each stage folder, applied in name order with `kubectl` (`plan.md` has the commands). */
  KUBECTL_PHASES = 'kubectl-phases',
  /**
   * The whole state of each stage in one file, each object annotated with the Argo CD sync wave of
   * its phase (prepare 0, route 1, retire 2); deletions are left to Argo CD's pruning.
   */
  ARGO_CD_SYNC_WAVES = 'argo-cd-sync-waves',
}

/** Options of `RolloutPlan.write`. */
export interface PlanWriteOptions {
  /**
   * How the stages are laid out.
   * @default PlanLayout.KUBECTL_PHASES
   */
  readonly layout?: PlanLayout;
}

/** A stage with its manifests and the phases that reach it from the stage before. */
export interface PlanStage {
  /** The stage. */
  readonly state: StageState;
  /** Every object of the stage: what the cluster holds once it is applied. */
  readonly manifests: Manifest[];
  /** The ordered phases from the previous stage (or from the state before the plan). */
  readonly phases: Phase[];
}

// istiod's PILOT_DEBOUNCE_MAX (10 s by default) plus as long again for the push itself.
const DEFAULT_PAUSE = Duration.seconds(20);

const ARGO_CD_FILE = 'resources.yaml';

const PHASE_FILES: Record<PhaseKind, string> = {
  [PhaseKind.PREPARE]: '1-prepare.yaml',
  [PhaseKind.ROUTE]: '2-route.yaml',
  [PhaseKind.RETIRE]: '3-retire.yaml',
  // In a subfolder, so that `kubectl apply -f <stage folder>` never picks deletions up.
  [PhaseKind.DELETE]: 'delete/4-delete.yaml',
};

/**
 * A rollout plan for a canary release: an ordered list of stages, each a complete desired state
 * of the website, entry and release, with the transition between consecutive stages ordered so
 * that no request meets a subset that is not live yet or no longer live. With
 * `entry.api: TrafficApi.GATEWAY_API`, the routes are HTTPRoutes and each version's Service takes
 * the place of its subset: prepared before the routes name it, deleted after they stop.
 *
 * No pod carries more than a stable pod did before the release (times `maxPodLoad`): the canary
 * is scaled up, in the phase before the routes that give it its share, to what its share needs, and
 * `promote` first brings it to the stable's count.
 *
 * Bad plans fail at once (`new RolloutPlan(...)`): traffic before the canary is deployed, weights
 * that go backwards, `finalize` without `promote`, steps after `finalize` or `rollback`, versions
 * the website does not have, a step's `canaryReplicas` too few for its share. Errors and warnings
 * while a stage is synthesized name the stage.
 */
export class RolloutPlan {
  /** The state before stage 1, stage `00-steady-state` (`undefined` when the plan starts on an empty cluster). */
  public readonly before?: StageState;
  private readonly props: RolloutPlanProps;
  private readonly planned: PlannedStages;
  private readonly pause: Duration;
  private readonly stagePause: Duration;
  private start?: PlanStage;
  private rendered?: PlanStage[];

  public constructor(props: RolloutPlanProps) {
    const versions = (props.website?.versions ?? []).map((v) => v.name);
    const replicasOf = (name: string) => props.website?.versions?.find((v) => v.name === name)?.replicas ?? 1;
    const maxPodLoad = checkMaxPodLoad('maxPodLoad', props.maxPodLoad ?? 1);
    for (const name of Object.keys(props.release?.versionTrafficPolicies ?? {})) {
      if (!versions.includes(name)) {
        throw new Error(`release.versionTrafficPolicies key must be a version of the website (${versions.map((v) => `"${v}"`).join(', ')}), got "${name}"`);
      }
    }
    if (props.scaleDownStable === true && props.release?.stickySession !== undefined) {
      // The stable's share of requests is not its weight: users its cookie pins keep coming back.
      throw new Error('scaleDownStable cannot be used with release.stickySession: users whose cookie pins them to the stable version keep coming back to it whatever its weight, so its pods cannot shrink with its share; leave scaleDownStable out (the stable keeps its pods until finalize)');
    }
    this.planned = planStages({
      versions,
      stable: props.stable,
      canary: props.canary,
      steps: props.steps,
      requireTrafficBeforePromote: props.requireTrafficBeforePromote,
      capacity: {
        stableReplicas: replicasOf(props.stable),
        canaryReplicas: replicasOf(props.canary),
        maxPodLoad,
        // Anything else is refused by the stage's CanaryRelease, with its message.
        mirror: props.release?.mirrorToCanary instanceof Percentage ? props.release.mirrorToCanary : undefined,
        sticky: props.release?.stickySession !== undefined,
        meshStableOnly: props.release?.meshRouting === MeshRouting.STABLE_ONLY,
        scaleDownStable: props.scaleDownStable ?? false,
      },
    });
    this.before = this.planned.before;
    if (props.release?.canaryFault !== undefined) {
      // A stage gets canaryFault only where a route takes the canary's requests alone: a fault no
      // stage applies would be dropped without a word.
      if (props.entry?.api === TrafficApi.GATEWAY_API) {
        throw unsupportedFeature('release.canaryFault', TrafficApi.GATEWAY_API, 'HTTPRoute has no fault injection', USE_ISTIO_API);
      }
      if (!this.planned.stages.some((state) => state.canary !== undefined && hasCanaryOnlyRule(state.canaryMatches.length, state.canaryWeight, props.release?.stickySession !== undefined))) {
        throw new Error('release.canaryFault applies to the requests only the canary takes, but no stage of the plan has such a route (canary matches, a sticky split, or a weight of 100): add a step with matches, or remove canaryFault');
      }
    }
    if (props.namespace !== undefined) {
      checkDnsLabel('namespace', props.namespace);
    }
    checkDnsSubdomain('chartId', props.chartId ?? 'release');
    this.pause = checkDuration('pauseBetweenPhases', props.pauseBetweenPhases ?? DEFAULT_PAUSE, DurationKind.POSITIVE);
    this.stagePause = checkDuration('pauseBetweenStages', props.pauseBetweenStages ?? this.pause, DurationKind.POSITIVE);
    this.props = props;
    // Build every stage now, so that a prop the constructs refuse fails here and not when writing.
    this.stages();
  }

  /** The stages with their manifests and phases. */
  public stages(): PlanStage[] {
    if (this.rendered === undefined) {
      let previous = this.startStage()?.manifests ?? [];
      this.rendered = this.planned.stages.map((state) => {
        const manifests = this.manifestsOf(state);
        const phases = planTransition(previous, manifests);
        if (phases.length === 0) {
          throw new Error(`steps[${state.index - 1}] (${state.name}) changes nothing from the stage before it; remove it`);
        }
        previous = manifests;
        return { state, manifests, phases };
      });
    }
    return this.rendered.map((s) => ({ ...s, manifests: [...s.manifests], phases: [...s.phases] }));
  }

  /**
   * Stage `00-steady-state`: the state the plan starts from, as phases from an empty cluster
   * (`undefined` when the plan starts from an empty cluster).
   */
  public startStage(): PlanStage | undefined {
    if (this.before === undefined) {
      return undefined;
    }
    if (this.start === undefined) {
      const manifests = this.manifestsOf(this.before);
      this.start = { state: this.before, manifests, phases: planTransition([], manifests) };
    }
    return { ...this.start, manifests: [...this.start.manifests], phases: [...this.start.phases] };
  }

  /** Every stage `write()` writes: `00-steady-state` (when the plan starts from it), then the stages. */
  public writtenStages(): PlanStage[] {
    const start = this.startStage();
    return [...(start !== undefined ? [start] : []), ...this.stages()];
  }

  /**
   * The objects of one stage, synthesized (and verified) like any chart. Errors and warnings
   * name the stage.
   */
  public manifestsOf(state: StageState): Manifest[] {
    const stage = `stage ${state.folder}`;
    try {
      return this.synthesize(state, stage);
    } catch (err) {
      throw new Error(`${stage}: ${(err as Error).message}`, { cause: err });
    }
  }

  private synthesize(state: StageState, stage: string): Manifest[] {
    const app = new App({ outdir: 'unused' });
    const chart = new Chart(app, this.props.chartId ?? 'release', { namespace: this.props.namespace ?? DEFAULT_NAMESPACE });
    // The verification's warnings name the stage they come from.
    AppVerification.of(chart).reportWarnings((line) => process.stderr.write(`${line.replace(/^(?=.)/gm, `${stage}: `)}\n`));
    const versions = new Map((this.props.website.versions ?? []).map((v) => [v.name, v]));
    const website = new Website(chart, 'website', { ...this.props.website, versions: [] });
    for (const deployed of state.deployed) {
      const options = versions.get(deployed.name)!;
      website.addVersion({ ...options, ...(deployed.replicas !== undefined ? { replicas: deployed.replicas } : {}) });
    }
    const entry = new IstioEntry(chart, 'entry', { ...this.props.entry, website });
    if (state.subsets) {
      const { mirrorToCanary, stickySession, canaryFault, versionTrafficPolicies, ...always } = this.props.release ?? {};
      // Policies of versions the stage has (a subset exists only for a deployed version).
      const policies = Object.entries(versionTrafficPolicies ?? {}).filter(([name]) => state.deployed.some((d) => d.name === name));
      const canaryOnly = hasCanaryOnlyRule(state.canaryMatches.length, state.canaryWeight, stickySession !== undefined);
      new CanaryRelease(chart, 'release', {
        ...always,
        ...(versionTrafficPolicies !== undefined ? { versionTrafficPolicies: Object.fromEntries(policies) } : {}),
        ...(state.canary !== undefined ? { stickySession } : {}),
        // Mirroring copies stable traffic where a rule carries only that (no split, or a sticky
        // split: see mirrorFits), and stops at a rollback so that the canary can be scaled down.
        ...(state.canary !== undefined && state.kind !== RolloutStepKind.ROLLBACK && mirrorFits(state.canaryWeight, stickySession !== undefined)
          ? { mirrorToCanary } : {}),
        ...(state.canary !== undefined && canaryOnly ? { canaryFault } : {}),
        website,
        entry,
        destinationRuleName: this.props.destinationRuleName,
        stable: state.stable,
        canary: state.canary,
        canaryMatches: [...state.canaryMatches],
        canaryWeight: state.canaryWeight,
        maxPodLoad: this.props.maxPodLoad,
      });
    }
    return chart.toJson();
  }

  /** Where requests go at a stage: a plain request, and one per canary match. */
  public traffic(stage: PlanStage): Array<{ request: string; explanation: Explanation }> {
    const plain = stage.state.canaryMatches.length > 0 ? 'any other request' : 'every request';
    const requests = [
      ...stage.state.canaryMatches.map((match) => ({ request: match.toString(), ...match.example })),
      { request: plain, headers: {}, path: '/' },
    ];
    return requests.map(({ request, headers, path }) => ({ request, explanation: explain(stage.manifests, { headers, path }) }));
  }

  /**
   * Writes the plan: a folder per stage (`NN-<stage>/`, phase files applied in name order; with
   * `PlanLayout.ARGO_CD_SYNC_WAVES`, the whole stage in one file with sync waves) and `plan.md`,
   * under `outdir`. A plan that starts from the steady state writes it too, as `00-steady-state/`.
   *
   * `outdir` must be new, empty, or a folder this method wrote before: it keeps a record of its files
   * (`.cdk8s-istio-canary-files.json`) and removes exactly those before writing again. Anything
   * else (a folder with other files, a file, a link, `/`, the home folder, the current folder or
   * their parents) is refused before anything is touched.
   */
  public write(outdir: string, title: string, options: PlanWriteOptions = {}): void {
    const layout = checkEnum('layout', options.layout ?? PlanLayout.KUBECTL_PHASES, PlanLayout);
    const files = new Map<string, string>();
    if (layout === PlanLayout.ARGO_CD_SYNC_WAVES) {
      for (const stage of this.writtenStages()) {
        files.set(posix.join(stage.state.folder, ARGO_CD_FILE), Yaml.stringify(...this.syncWaves(stage)));
      }
      files.set('plan.md', this.argoCdMarkdown(title));
    } else {
      for (const stage of this.writtenStages()) {
        for (const phase of stage.phases) {
          files.set(posix.join(stage.state.folder, PHASE_FILES[phase.kind]), Yaml.stringify(...phase.objects));
        }
      }
      files.set('plan.md', this.markdown(title));
    }
    writeOwnedFolder('RolloutPlan.write', outdir, files);
  }

  /**
   * Every object of a stage, annotated with the Argo CD sync wave of its phase: committed to the
   * folder an Argo CD Application watches, one sync carries out the stage's phases in order.
   */
  public syncWaves(stage: PlanStage): Manifest[] {
    return withSyncWaves(`stage ${stage.state.folder}`, stage.manifests, stage.phases);
  }

  /** Whether the stages route with the Gateway API (HTTPRoutes to per-version Services). */
  private gatewayApi(): boolean {
    return this.props.entry?.api === TrafficApi.GATEWAY_API;
  }

  /** The line of plan.md that says where the plan starts from. */
  private startLine(stages: readonly PlanStage[]): string {
    return this.before === undefined
      ? `Stage ${stages[0].state.folder} starts from a cluster without any of these objects.`
      : `Stage \`${this.before.folder}\` is the state the plan starts from: version ${this.before.stable} alone, with its ${this.versionObject()}, taking every request.`;
  }

  /** What gives a version its own destination: its subset, or with the Gateway API its Service. */
  private versionObject(): string {
    return this.gatewayApi() ? 'Service' : 'subset';
  }

  /** `plan.md` of the Argo CD layout: the stages, their traffic, and how to hand each to Argo CD. */
  public argoCdMarkdown(title: string): string {
    const stages = this.writtenStages();
    const stageSeconds = this.stagePause.toSeconds({ integral: false });
    const lines = [`# Rollout plan: ${title} (Argo CD)`, ''];
    lines.push(this.startLine(stages));
    lines.push('');
    lines.push(`Each stage folder holds the whole state of the stage in \`${ARGO_CD_FILE}\`, each object annotated with the`);
    if (this.gatewayApi()) {
      lines.push(`\`${SYNC_WAVE_ANNOTATION}\` of its phase: ${SYNC_WAVES.prepare} to prepare (workloads, per-version Services, the Gateway, and`);
      lines.push(`what the stage leaves unchanged), ${SYNC_WAVES.route} to route (HTTPRoutes), ${SYNC_WAVES.retire} to retire (workloads scaled down). Argo CD applies the`);
      lines.push('waves in order and waits for each to be healthy (a');
    } else {
      lines.push(`\`${SYNC_WAVE_ANNOTATION}\` of its phase: ${SYNC_WAVES.prepare} to prepare (workloads, Services, Gateways, DestinationRules with new`);
      lines.push(`subsets, and what the stage leaves unchanged), ${SYNC_WAVES.route} to route (VirtualServices), ${SYNC_WAVES.retire} to retire (DestinationRules without the old`);
      lines.push('subsets, workloads scaled down). Argo CD applies the waves in order and waits for each to be healthy (a');
    }
    lines.push('Deployment once it is rolled out); what the stage no longer has is pruned. Commit the stages in order, each');
    lines.push(`stage's \`${ARGO_CD_FILE}\` replacing the one in the folder the Application \`$APP\` watches (\`$APP_PATH\`, in its Git`);
    lines.push('repository, holding nothing else), and wait for each sync before the next stage. The Application needs:', '');
    lines.push('- `syncPolicy.syncOptions: [PruneLast=true]`, so that deletions come after every wave, as the last phase;');
    lines.push('- pruning: `syncPolicy.automated.prune: true`, or `argocd app sync $APP --prune`;');
    lines.push(`- \`ARGOCD_SYNC_WAVE_DELAY\` of at least ${stageSeconds} (seconds) on the application controller: Istio objects have no health`);
    lines.push('  check, so between the route wave and the retire wave only this delay (2 s by default) gives istiod time to push');
    lines.push('  the routes to every proxy (it batches changes for up to 10 s, `PILOT_DEBOUNCE_MAX`).', '');
    lines.push('Argo CD runs that delay right after it applies a wave, not once the wave is healthy: the route wave starts as soon');
    lines.push('as the new pods are ready, before istiod may have told the gateways about them (up to 10 s), so for those seconds');
    lines.push('the pods that were there before take a stage\'s new share. Where that load matters, give the weight steps more');
    lines.push('`canaryReplicas`, or apply the stages with the phase-by-phase layout\'s commands, which pause after the rollout.', '');
    const traffic = new Map(stages.map((stage) => [stage, this.traffic(stage)]));
    lines.push(...trafficTable(stages, traffic));
    stages.forEach((stage, i) => {
      lines.push('', `## ${stage.state.folder}`, '');
      const waves = stage.phases.filter((p) => p.kind !== PhaseKind.DELETE)
        .map((p) => `wave ${SYNC_WAVES[p.kind as Exclude<PhaseKind, PhaseKind.DELETE>]}: ${p.objects.map((o) => `${o.kind} ${o.metadata?.name}`).join(', ')}`);
      const pruned = stage.phases.filter((p) => p.kind === PhaseKind.DELETE).flatMap((p) => p.objects.map((o) => `${o.kind} ${o.metadata?.name}`));
      for (const line of [...waves, ...(pruned.length > 0 ? [`pruned last: ${pruned.join(', ')}`] : [])]) {
        lines.push(`- ${line}`);
      }
      for (const t of traffic.get(stage)!) {
        lines.push(`- then ${t.request}: ${split(t.explanation)}`);
      }
      lines.push('', '```bash');
      if (i > 0) {
        lines.push(`sleep ${stageSeconds}   # let istiod push the previous stage to every proxy`);
      }
      lines.push(`cp ${stage.state.folder}/${ARGO_CD_FILE} "$APP_PATH"/${ARGO_CD_FILE}`);
      lines.push(`git -C "$APP_PATH" add ${ARGO_CD_FILE} && git -C "$APP_PATH" commit -m "${title}: ${stage.state.folder}" && git -C "$APP_PATH" push`);
      lines.push(`argocd app sync "$APP" --prune && argocd app wait "$APP" --sync --health --timeout 900`);
      lines.push('```');
    });
    return `${lines.join('\n')}\n`;
  }

  /** `plan.md`: the stages, their traffic, and the exact commands (run from the plan's folder) with the pauses. */
  public markdown(title: string): string {
    const stages = this.writtenStages();
    const seconds = this.pause.toSeconds({ integral: false });
    const stageSeconds = this.stagePause.toSeconds({ integral: false });
    const lines = [`# Rollout plan: ${title}`, ''];
    lines.push(this.startLine(stages));
    if (this.before !== undefined) {
      lines.push(`\`kubectl diff -f ${this.before.folder}/\` shows whether the live cluster is there (no output: it is); on an empty cluster, apply it as any stage.`);
    }
    lines.push('');
    lines.push('Apply the stages in order, running the commands from the folder this file is in; each stage folder moves the');
    lines.push('cluster from the previous stage. Within a stage the phase files go in name order. Between phases, and between');
    lines.push(`stages, the commands pause (${seconds === stageSeconds ? `${seconds} s` : `${seconds} s and ${stageSeconds} s`} here) so that every proxy has a ${this.versionObject()} before a route names it, and no`);
    lines.push(`route names a ${this.versionObject()} any more when it goes: istiod batches changes for up to 10 s (\`PILOT_DEBOUNCE_MAX\`) before it`);
    if (this.gatewayApi()) {
      lines.push('pushes them. The conditions istiod sets on an HTTPRoute (`Accepted`, `ResolvedRefs`) say that it took the route, not');
      lines.push('that every proxy has it, so nothing can replace the pauses (`istioctl proxy-status` after one shows whether a proxy');
      lines.push('is still `STALE`).');
    } else {
      lines.push('pushes them. Up to Istio 1.22, istiod with `PILOT_ENABLE_STATUS=true` and `PILOT_ENABLE_CONFIG_DISTRIBUTION_TRACKING=true`');
      lines.push('sets a `Reconciled` condition once every proxy has an object, and the `kubectl wait --for=condition=Reconciled`');
      lines.push('commands shown as comments can replace the pauses; Istio 1.23 removed that tracking, so on later versions keep the');
      lines.push('pauses (`istioctl proxy-status` after one shows whether a proxy is still `STALE`).');
    }
    lines.push('Each stage\'s commands are joined by `&&`: a step that fails (a rollout that does not become ready in time) stops');
    lines.push('the stage before its routes move traffic; find out why before going on. Do not apply a stage folder in one go');
    lines.push(`(\`kubectl apply -f <stage folder>\`): without the waits, a route can reach a proxy before the ${this.versionObject()} it names, or`);
    lines.push('after the one it stops naming is gone, and traffic can move to pods that are not ready yet: requests fail with 503.');
    lines.push('Deletions are in a `delete/` subfolder, which `kubectl apply -f` skips; `kubectl apply -R` would descend into it');
    lines.push('and re-create what the stage deletes.', '');
    const traffic = new Map(stages.map((stage) => [stage, this.traffic(stage)]));
    lines.push(...trafficTable(stages, traffic));
    let previous: Phase | undefined;
    for (const stage of stages) {
      lines.push('', `## ${stage.state.folder}`, '');
      for (const t of traffic.get(stage)!) {
        lines.push(`- ${t.request}: ${split(t.explanation)}`);
      }
      lines.push('', '```bash');
      if (stage.state.index === 0) {
        lines.push(`kubectl diff -f ${stage.state.folder}/   # no output: the live cluster is where the plan starts`);
      }
      const commands: ShellLine[] = [];
      stage.phases.forEach((phase, i) => {
        const file = `${stage.state.folder}/${PHASE_FILES[phase.kind]}`;
        if (previous !== undefined) {
          commands.push(...waitFor(previous).map((comment) => ({ comment })));
          commands.push(i > 0
            ? { command: `sleep ${seconds}`, comment: 'let istiod push the previous phase to every proxy' }
            : { command: `sleep ${stageSeconds}`, comment: 'let istiod push the previous stage to every proxy' });
        }
        if (phase.kind === PhaseKind.DELETE) {
          commands.push({ command: `kubectl delete -f ${file}`, comment: 'not kubectl apply -R: it would re-create what delete/ holds' });
        } else {
          commands.push({ command: `kubectl apply -f ${file}` });
        }
        if (phase.kind === PhaseKind.PREPARE) {
          for (const d of phase.objects.filter((m) => ['Deployment', 'StatefulSet'].includes(m.kind ?? '') && (m.spec?.replicas ?? 1) > 0)) {
            commands.push({ command: `kubectl rollout status ${d.kind!.toLowerCase()}/${d.metadata?.name} -n ${d.metadata?.namespace ?? DEFAULT_NAMESPACE} --timeout=5m` });
          }
        }
        previous = phase;
      });
      lines.push(...chained(commands));
      lines.push('```');
    }
    return `${lines.join('\n')}\n`;
  }
}

/** A line of a stage's commands: a command with an optional comment, or a comment alone. */
interface ShellLine {
  readonly command?: string;
  readonly comment?: string;
}

/**
 * The lines of a stage's commands, each command joined to the next by `&&`: a step that fails
 * (a rollout that never becomes ready, say) stops the stage before its routes move traffic. Works
 * pasted into a shell as well as in a script.
 */
function chained(lines: readonly ShellLine[]): string[] {
  const last = lines.map((l) => l.command !== undefined).lastIndexOf(true);
  return lines.map((l, i) => {
    if (l.command === undefined) {
      return `# ${l.comment}`;
    }
    const joined = i < last ? `${l.command} &&` : l.command;
    return l.comment === undefined ? joined : `${joined}   # ${l.comment}`;
  });
}

/**
 * The `kubectl wait` for istiod to report the Istio objects of `phase` pushed to every proxy, as
 * comments: the `Reconciled` condition exists up to Istio 1.22 (istio/istio#51866 removed it).
 */
function waitFor(phase: Phase): string[] {
  if (phase.kind === PhaseKind.DELETE) {
    return [];
  }
  const byNamespace = new Map<string, string[]>();
  for (const m of phase.objects.filter((o) => groupOf(o.apiVersion ?? '') === 'networking.istio.io')) {
    const ns = m.metadata?.namespace ?? DEFAULT_NAMESPACE;
    // The full resource name: with the Gateway API installed, `gateway/x` names a Gateway API Gateway.
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), `${m.kind!.toLowerCase()}s.networking.istio.io/${m.metadata?.name}`]);
  }
  return [...byNamespace].map(([ns, objects]) => `or, up to Istio 1.22 with its status on: kubectl wait --for=condition=Reconciled -n ${ns} ${objects.join(' ')} --timeout=5m`);
}

/** The table of plan.md: each stage, its step, and where each kind of request goes. */
function trafficTable(stages: readonly PlanStage[], traffic: ReadonlyMap<PlanStage, Array<{ request: string; explanation: Explanation }>>): string[] {
  return ['| stage | step | traffic |', '|---|---|---|', ...stages.map((stage) =>
    `| \`${stage.state.folder}\` | ${stepOf(stage)} | ${traffic.get(stage)!.map((t) => `${t.request}: ${split(t.explanation)}`).join('; ')} |`)];
}

function stepOf(stage: PlanStage): string {
  if (stage.state.index === 0) {
    return 'steady state';
  }
  return stage.state.kind === RolloutStepKind.WEIGHT ? `weight ${stage.state.canaryWeight}` : stage.state.kind;
}

function split(e: Explanation): string {
  if (e.destinations.length === 0) {
    return e.notes[0] ?? 'no route';
  }
  return e.destinations.map((d) => {
    const pods = d.workloads.reduce((n, w) => n + (w.replicas ?? 0), 0);
    return `${d.percent}% to ${d.subset !== undefined ? `subset ${d.subset}` : d.host.split('.')[0]} (${pods} ${pods === 1 ? 'pod' : 'pods'})`;
  }).join(', ');
}
