import { RequestMatch } from '../match';
import { checkDnsLabel, show } from '../validate';
import { Weight } from '../weight';
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
}

/** The stages of a plan, and the state assumed live before its first stage. */
export interface PlannedStages {
  /** The state before stage 1: `undefined` for an empty cluster (a plan that starts with `stableOnly`). */
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

  const base = { stable, canaryMatches: [] as RequestMatch[], canaryWeight: Weight.NONE };
  const stableOnly = (index: number, name: string, subsets: boolean): StageState => ({
    ...base, index, name, folder: '', kind: RolloutStepKind.STABLE_ONLY, deployed: [{ name: stable }], subsets,
  });
  const before = steps[0]?.kind === RolloutStepKind.STABLE_ONLY ? undefined : stableOnly(0, 'before', true);
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
    const withCanary = { stable, canary, deployed: [{ name: stable }, { name: canary }], subsets: true };
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
        push(step, { ...withCanary, canaryMatches: [], canaryWeight: Weight.NONE });
        return;
      case RolloutStepKind.HEADER_ONLY: {
        needsCanary();
        const matches = step.settings.matches ?? [];
        if (matches.length === 0 || matches.some((m) => !(m instanceof RequestMatch))) {
          throw new Error(`${at} needs at least one RequestMatch, e.g. RequestMatch.header('qa', 'canary-test')`);
        }
        push(step, { ...withCanary, canaryMatches: matches, canaryWeight: Weight.NONE });
        return;
      }
      case RolloutStepKind.WEIGHT: {
        needsCanary();
        const weight = step.settings.weight;
        if (!(weight instanceof Weight) || weight.percent === 0) {
          throw new Error(`${at} needs a weight above 0 (e.g. Weight.percent(5)), got ${show(weight?.percent ?? weight)}; a canary without traffic is RolloutStep.deployCanary()`);
        }
        if (weight.percent < lastWeight) {
          throw new Error(`${at} goes backwards: ${weight} is below the previous ${lastWeight}%; weights only go forward in a plan, use RolloutStep.rollback() to go back`);
        }
        lastWeight = weight.percent;
        weighted = true;
        push(step, { ...withCanary, canaryMatches: step.settings.keepMatches ? prev!.canaryMatches : [], canaryWeight: weight });
        return;
      }
      case RolloutStepKind.PROMOTE:
        needsCanary();
        if (options.requireTrafficBeforePromote && !weighted) {
          throw new Error(`${at} promotes the canary before any weight step, which requireTrafficBeforePromote forbids: add RolloutStep.weight(...) before it`);
        }
        lastWeight = 100;
        push(step, { ...withCanary, canaryMatches: [], canaryWeight: Weight.ALL });
        return;
      case RolloutStepKind.FINALIZE:
        if (prev === undefined || prev.canary === undefined || prev.canaryWeight.percent !== 100) {
          throw new Error(`${at} must follow RolloutStep.promote(): the old version can only be removed once no route names it`);
        }
        push(step, { stable: canary, deployed: [{ name: canary }], subsets: true, canaryMatches: [], canaryWeight: Weight.NONE });
        return;
      case RolloutStepKind.ROLLBACK:
        needsCanary();
        push(step, { ...withCanary, canaryMatches: [], canaryWeight: Weight.NONE });
        if (step.settings.scaleCanaryToZero) {
          // A stage of its own: the canary's pods go only once no route reaches them.
          push(step, { ...withCanary, deployed: [{ name: stable }, { name: canary, replicas: 0 }], canaryMatches: [], canaryWeight: Weight.NONE }, `${stages[stages.length - 1].name}-scale-down`);
        }
        return;
    }
  });
  return { before, stages };
}
