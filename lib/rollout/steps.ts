import { RequestMatch } from '../model/match';
import { checkInteger, show } from '../model/validate';
import { Weight } from '../model/weight';

/** The kinds of rollout step. */
export enum RolloutStepKind {
  /** Only the stable version, as before a release. */
  STABLE_ONLY = 'stable-only',
  /** The canary is deployed and has its subset; no traffic goes to it. */
  DEPLOY_CANARY = 'deploy-canary',
  /** Requests meeting a match go to the canary; everyone else is untouched. */
  HEADER_ONLY = 'header-only',
  /** A share of requests goes to the canary. */
  WEIGHT = 'weight',
  /** Every request goes to the canary. */
  PROMOTE = 'promote',
  /** The canary becomes the stable version; the old version's subset and Deployment are removed. */
  FINALIZE = 'finalize',
  /** Every request goes back to the stable version. */
  ROLLBACK = 'rollback',
}

/** Options shared by every step. */
export interface RolloutStepOptions {
  /**
   * The stage's name, used in folder names (`03-<name>`); a DNS-1123 label.
   * @default - derived from the step, e.g. `weight-20`
   */
  readonly name?: string;
}

/** Options of the steps that set how many pods the canary runs. */
export interface CanaryReplicasOptions extends RolloutStepOptions {
  /**
   * The canary's pods at this stage. The plan refuses a count too small for the canary's share
   * (see `RolloutPlanProps.maxPodLoad`).
   * @default - the canary's own count, or more when its share needs more pods (for `promote`,
   *   at least the stable's count)
   */
  readonly canaryReplicas?: number;
}

/** Options of `RolloutStep.stableOnly`. */
export interface StableOnlyOptions extends RolloutStepOptions {
  /**
   * Whether the DestinationRule with the stable subset exists (and routes name it). Without it
   * the entry routes to the Service, as before Istio subsets are introduced.
   * @default true
   */
  readonly subsets?: boolean;
}

/** Options of `RolloutStep.weight`. */
export interface WeightStepOptions extends CanaryReplicasOptions {
  /**
   * Keep the canary matches of the previous stage (e.g. QA's header) in front of the split.
   * @default false
   */
  readonly keepMatches?: boolean;
}

/** Options of `RolloutStep.rollback`. */
export interface RollbackOptions extends RolloutStepOptions {
  /**
   * Scale the canary to 0 once no traffic reaches it (an extra stage, after the routes changed).
   * @default false - the canary keeps running, for inspection
   */
  readonly scaleCanaryToZero?: boolean;
}

/** The settings of a step; each kind of step uses its own. */
export interface RolloutStepSettings {
  /**
   * `stableOnly`: whether the DestinationRule exists.
   * @default - not used
   */
  readonly subsets?: boolean;
  /**
   * `headerOnly`: the matches that go to the canary.
   * @default - not used
   */
  readonly matches?: readonly RequestMatch[];
  /**
   * `weight`: the canary's share.
   * @default - not used
   */
  readonly weight?: Weight;
  /**
   * `weight`: keep the previous stage's matches.
   * @default - not used
   */
  readonly keepMatches?: boolean;
  /**
   * `rollback`: scale the canary to 0 in a stage of its own.
   * @default - not used
   */
  readonly scaleCanaryToZero?: boolean;
  /**
   * `deployCanary`, `headerOnly`, `weight`, `promote`: the canary's pods.
   * @default - computed from the canary's share
   */
  readonly canaryReplicas?: number;
}

/**
 * One step of a rollout plan; each becomes a stage, a complete desired state of the topology.
 */
export class RolloutStep {
  /** The stable version alone (a plan's starting point). */
  public static stableOnly(options: StableOnlyOptions = {}): RolloutStep {
    return new RolloutStep(RolloutStepKind.STABLE_ONLY, options.name, { subsets: options.subsets ?? true });
  }

  /** Deploy the canary with no traffic: its Deployment and subset exist, nothing routes to it. */
  public static deployCanary(options: CanaryReplicasOptions = {}): RolloutStep {
    return new RolloutStep(RolloutStepKind.DEPLOY_CANARY, options.name, replicas(options));
  }

  /** Send requests meeting any of `matches` to the canary (QA by header); others stay on stable. */
  public static headerOnly(matches: RequestMatch | RequestMatch[], options: CanaryReplicasOptions = {}): RolloutStep {
    const list = Array.isArray(matches) ? [...matches] : [matches];
    return new RolloutStep(RolloutStepKind.HEADER_ONLY, options.name, { matches: list, ...replicas(options) });
  }

  /** Send `weight` of the requests to the canary. */
  public static weight(weight: Weight, options: WeightStepOptions = {}): RolloutStep {
    if (!(weight instanceof Weight)) {
      throw new Error(`RolloutStep.weight needs a Weight (e.g. Weight.percent(10)), got ${show(weight)}`);
    }
    return new RolloutStep(RolloutStepKind.WEIGHT, options.name, { weight, keepMatches: options.keepMatches ?? false, ...replicas(options) });
  }

  /** Send every request to the canary. */
  public static promote(options: CanaryReplicasOptions = {}): RolloutStep {
    return new RolloutStep(RolloutStepKind.PROMOTE, options.name, replicas(options));
  }

  /** Make the canary the stable version and remove the old one (after `promote`). */
  public static finalize(options: RolloutStepOptions = {}): RolloutStep {
    return new RolloutStep(RolloutStepKind.FINALIZE, options.name, {});
  }

  /** Send every request back to the stable version. */
  public static rollback(options: RollbackOptions = {}): RolloutStep {
    return new RolloutStep(RolloutStepKind.ROLLBACK, options.name, { scaleCanaryToZero: options.scaleCanaryToZero ?? false });
  }

  private constructor(
    /** What the step does. */
    public readonly kind: RolloutStepKind,
    /** The name given, if any. */
    public readonly name: string | undefined,
    /** The step's own settings (each kind uses its own). */
    public readonly settings: RolloutStepSettings,
  ) {}

  /** `weight 20%`, `header-only`. */
  public toString(): string {
    return this.kind === RolloutStepKind.WEIGHT ? `weight ${this.settings.weight}` : this.kind;
  }
}

function replicas(options: CanaryReplicasOptions): RolloutStepSettings {
  return options.canaryReplicas !== undefined ? { canaryReplicas: checkInteger('canaryReplicas', options.canaryReplicas, 1, Number.MAX_SAFE_INTEGER) } : {};
}
