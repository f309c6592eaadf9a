import { RequestMatch } from '../model/match';
import { Percentage } from '../model/percentage';
import { canaryRules, mirrorFits } from '../model/routing';
import { checkDnsLabel, show } from '../model/validate';
import { Weight } from '../model/weight';
import { CapacityBar, capacityProblems, podsNeeded, ruleShares } from '../model/capacity';
import { RolloutStep, RolloutStepKind } from './steps';

/** A version deployed at a stage. */
export interface StageVersion {
  /** The version's name. */
  readonly name: string;
  /**
   * Replicas at this stage, when the stage overrides the version's own count.
   * @default - the version's own count
   */
  readonly replicas?: number;
}

/** A stage: the complete desired state of the topology after one step. */
export interface StageState {
  /** Position in the plan, from 1; the state before the plan is 0. */
  readonly index: number;
  /** The stage's name. */
  readonly name: string;
  /** Its folder name, `NN-name`. */
  readonly folder: string;
  /** The step that led to it. */
  readonly kind: RolloutStepKind;
  /** The version that takes every request not sent to the canary. */
  readonly stable: string;
  /** The canary, when one is deployed. */
  readonly canary?: string;
  /** Versions with a Deployment, stable first. */
  readonly deployed: readonly StageVersion[];
  /** Whether the DestinationRule (with a subset per deployed version) exists. */
  readonly subsets: boolean;
  /** Requests that go to the canary whatever the weight. */
  readonly canaryMatches: readonly RequestMatch[];
  /** The share of other requests that goes to the canary. */
  readonly canaryWeight: Weight;
}

/** The inputs of `planStages`. */
export interface PlanStagesOptions {
  /** Names of the versions the website has. */
  readonly versions: readonly string[];
  /** The version in production when the plan starts. */
  readonly stable: string;
  /** The version being released. */
  readonly canary: string;
  /** The steps, in order. */
  readonly steps: readonly RolloutStep[];
  /**
   * Refuse a `promote` that no weight step precedes.
   * @default false
   */
  readonly requireTrafficBeforePromote?: boolean;
  /**
   * Size the versions for their share of the traffic: every stage then gives both versions an
   * explicit replica count.
   * @default - versions keep their own counts (replicas left undefined)
   */
  readonly capacity?: StageCapacity;
}

/** What sizing the versions for their traffic needs. */
export interface StageCapacity {
  /** The stable version's own replicas: before the release it took every request on them. */
  readonly stableReplicas: number;
  /** The canary's own replicas: it never runs fewer unless a step says so. */
  readonly canaryReplicas: number;
  /**
   * How many times a stable pod's share before the release a pod may carry.
   * @default 1
   */
  readonly maxPodLoad?: number;
  /**
   * Mirroring to the canary (its copies count in its share).
   * @default - none
   */
  readonly mirror?: Percentage;
  /**
   * Sticky sessions: with them, mirroring goes on at weighted stages too (see `mirrorFits`).
   * @default false
   */
  readonly sticky?: boolean;
  /**
   * In-mesh calls always go to the stable version.
   * @default false
   */
  readonly meshStableOnly?: boolean;
  /**
   * Scale the stable version down as its share shrinks (at least 1 pod), and back before it grows.
   * @default false
   */
  readonly scaleDownStable?: boolean;
}

/** The stages of a plan, and the state assumed live before its first stage. */
export interface PlannedStages {
  /**
   * The state before stage 1, stage `00-steady-state` (the stable version alone with its subset):
   * `undefined` for an empty cluster (a plan that starts with `stableOnly`).
   */
  readonly before?: StageState;
  /** The stages, in order. */
  readonly stages: StageState[];
}

function defaultName(step: RolloutStep): string {
  switch (step.kind) {
    case RolloutStepKind.WEIGHT:
      return `weight-${step.settings.weight!.percent}`;
    case RolloutStepKind.STABLE_ONLY:
      return step.settings.subsets ? 'stable-subset' : 'stable';
    default:
      return step.kind;
  }
}

/**
 * Turns steps into stages, checking that they make a safe plan: the canary is deployed (and its
 * subset live) before any traffic goes to it, weights only go forward, `finalize` follows
 * `promote`, and nothing follows `finalize` or `rollback`.
 *
 * @throws with the step's position and what to do instead
 */
export function planStages(options: PlanStagesOptions): PlannedStages {
  const { versions, stable, canary, steps } = options;
  for (const [prop, name] of [['stable', stable], ['canary', canary]] as const) {
    if (!versions.includes(name)) {
      throw new Error(`${prop} must be a version of the website (${versions.map((v) => `"${v}"`).join(', ') || 'none'}), got ${show(name)}`);
    }
  }
  if (stable === canary) {
    throw new Error(`canary must differ from stable, got "${canary}" for both`);
  }
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new Error('steps must list at least one step, got none');
  }

  const cap = options.capacity;
  const bar: CapacityBar | undefined = cap !== undefined ? { stablePodsBefore: cap.stableReplicas, maxPodLoad: cap.maxPodLoad ?? 1 } : undefined;
  /** The shares of the stable and canary subsets at a weight, as the release will route them. */
  const shares = (weight: Weight) => {
    const sticky = cap?.sticky === true;
    const found = ruleShares(canaryRules({
      host: 'h', stableSubset: 'stable', canarySubset: 'canary', canaryWeight: weight,
      mirror: cap?.mirror !== undefined && mirrorFits(weight, sticky) ? cap.mirror : undefined,
      ...(sticky ? { sticky: { cookieName: 'canary', maxAgeSeconds: 1 } } : {}),
      ...(cap?.meshStableOnly ? { canaryGateways: ['gateway'] } : {}),
    }));
    return { stable: found.get('stable') ?? 0, canary: found.get('canary') ?? 0 };
  };
  /** Both versions, sized for `weight` when the plan sizes them. */
  const sized = (at: string, step: RolloutStep, weight: Weight, canaryFloor: number): StageVersion[] => {
    if (cap === undefined || bar === undefined) {
      return [{ name: stable }, { name: canary }];
    }
    const share = shares(weight);
    const explicit = step.settings.canaryReplicas;
    const canaryPods = explicit ?? Math.max(canaryFloor, podsNeeded(share.canary, bar));
    const problems = capacityProblems([{ subset: canary, share: share.canary, pods: canaryPods }], bar);
    if (problems.length > 0) {
      throw new Error(`${at} sets canaryReplicas to ${explicit}, too few: ${problems[0]}`);
    }
    const stablePods = cap.scaleDownStable ? Math.min(cap.stableReplicas, Math.max(1, podsNeeded(share.stable, bar))) : cap.stableReplicas;
    return [{ name: stable, replicas: stablePods }, { name: canary, replicas: canaryPods }];
  };
  const canaryPodsOf = (state: StageState | undefined) => state?.deployed.find((d) => d.name === canary)?.replicas;
  const stableAlone = cap !== undefined ? [{ name: stable, replicas: cap.stableReplicas }] : [{ name: stable }];

  const base = { stable, canaryMatches: [] as RequestMatch[], canaryWeight: Weight.NONE };
  const stableOnly = (index: number, name: string, subsets: boolean): StageState => ({
    ...base, index, name, folder: `00-${name}`, kind: RolloutStepKind.STABLE_ONLY, deployed: stableAlone, subsets,
  });
  const before = steps[0]?.kind === RolloutStepKind.STABLE_ONLY ? undefined : stableOnly(0, 'steady-state', true);
  let previous: StageState | undefined = before;
  let lastWeight = 0;
  let weighted = false;
  const names = new Set<string>();
  const stages: StageState[] = [];

  const push = (step: RolloutStep, state: Omit<StageState, 'index' | 'name' | 'folder' | 'kind'>, name?: string) => {
    const index = stages.length + 1;
    const stageName = name ?? step.name ?? defaultName(step);
    checkDnsLabel(`name of steps[${index - 1}]`, stageName);
    if (names.has(stageName)) {
      throw new Error(`name of steps[${index - 1}] must be unique in the plan, got "${stageName}" twice; give the step a name`);
    }
    names.add(stageName);
    const stage: StageState = { ...state, index, name: stageName, folder: `${String(index).padStart(2, '0')}-${stageName}`, kind: step.kind };
    stages.push(stage);
    previous = stage;
  };

  steps.forEach((step, i) => {
    if (!(step instanceof RolloutStep)) {
      throw new Error(`steps[${i}] must be a RolloutStep (e.g. RolloutStep.deployCanary()), got ${show(step)}`);
    }
    const at = `steps[${i}] (${step})`;
    const prev = previous;
    if (prev !== undefined && (prev.kind === RolloutStepKind.FINALIZE || prev.kind === RolloutStepKind.ROLLBACK)) {
      throw new Error(`${at} cannot follow ${prev.kind}: the release is over; start a new plan`);
    }
    const canaryDeployed = prev?.canary !== undefined;
    const needsCanary = () => {
      if (!canaryDeployed) {
        throw new Error(`${at} sends traffic to the canary before it is deployed: put RolloutStep.deployCanary() before it, so that its subset is live before any route names it`);
      }
    };
    const withCanary = (weight: Weight, floor = cap?.canaryReplicas ?? 1) => ({ stable, canary, deployed: sized(at, step, weight, floor), subsets: true });
    switch (step.kind) {
      case RolloutStepKind.STABLE_ONLY:
        // It starts a plan; a second one may only introduce the subsets (as the tutorial does).
        if (i !== 0 && !(i === 1 && prev?.subsets === false && step.settings.subsets === true)) {
          throw new Error(`${at} can only be the first step (it describes the state before the release), or the second one to add the subsets after a first one without them`);
        }
        push(step, stableOnly(0, '', step.settings.subsets ?? true));
        return;
      case RolloutStepKind.DEPLOY_CANARY:
        if (canaryDeployed) {
          throw new Error(`${at}: the canary is already deployed`);
        }
        push(step, { ...withCanary(Weight.NONE), canaryMatches: [], canaryWeight: Weight.NONE });
        return;
      case RolloutStepKind.HEADER_ONLY: {
        needsCanary();
        const matches = step.settings.matches ?? [];
        if (matches.length === 0 || matches.some((m) => !(m instanceof RequestMatch))) {
          throw new Error(`${at} needs at least one RequestMatch, e.g. RequestMatch.header('qa', 'canary-test')`);
        }
        push(step, { ...withCanary(Weight.NONE), canaryMatches: matches, canaryWeight: Weight.NONE });
        return;
      }
      case RolloutStepKind.WEIGHT: {
        needsCanary();
        const weight = step.settings.weight;
        // RolloutStep.weight only makes weight steps with a Weight.
        if (weight === undefined || weight.percent === 0) {
          throw new Error(`${at} needs a weight above 0 (e.g. Weight.percent(5)), got ${show(weight?.percent)}; a canary without traffic is RolloutStep.deployCanary()`);
        }
        if (weight.percent < lastWeight) {
          throw new Error(`${at} goes backwards: ${weight} is below the previous ${lastWeight}%; weights only go forward in a plan, use RolloutStep.rollback() to go back`);
        }
        lastWeight = weight.percent;
        weighted = true;
        push(step, { ...withCanary(weight), canaryMatches: step.settings.keepMatches ? prev!.canaryMatches : [], canaryWeight: weight });
        return;
      }
      case RolloutStepKind.PROMOTE:
        needsCanary();
        if (options.requireTrafficBeforePromote && !weighted) {
          throw new Error(`${at} promotes the canary before any weight step, which requireTrafficBeforePromote forbids: add RolloutStep.weight(...) before it`);
        }
        lastWeight = 100;
        // The new version takes the stable's load: at least as many pods as the stable had.
        push(step, { ...withCanary(Weight.ALL, Math.max(cap?.canaryReplicas ?? 1, cap?.stableReplicas ?? 1)), canaryMatches: [], canaryWeight: Weight.ALL });
        return;
      case RolloutStepKind.FINALIZE:
        // Only promote sizes the new version for all the load (a weight of 100 does not).
        if (prev === undefined || prev.kind !== RolloutStepKind.PROMOTE) {
          throw new Error(`${at} must follow RolloutStep.promote(): the old version can only be removed once no route names it`);
        }
        // The new stable version keeps the pods it had at promote.
        push(step, { stable: canary, deployed: [{ name: canary, ...(cap !== undefined ? { replicas: canaryPodsOf(prev) } : {}) }], subsets: true, canaryMatches: [], canaryWeight: Weight.NONE });
        return;
      case RolloutStepKind.ROLLBACK:
        needsCanary();
        {
          // Every request back to the stable version (at its full count again); the canary keeps its pods.
          const back = withCanary(Weight.NONE, canaryPodsOf(prev) ?? 1);
          push(step, { ...back, canaryMatches: [], canaryWeight: Weight.NONE });
          if (step.settings.scaleCanaryToZero) {
            // A stage of its own: the canary's pods go only once no route reaches them.
            push(step, { ...back, deployed: [back.deployed[0], { name: canary, replicas: 0 }], canaryMatches: [], canaryWeight: Weight.NONE }, `${stages[stages.length - 1].name}-scale-down`);
          }
        }
        return;
    }
  });
  return { before, stages };
}
