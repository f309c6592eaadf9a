/**
 * The capacity invariant of a release: no pod carries more than a stable pod did before the
 * release began.
 *
 * A subset's load is its share of the weighted traffic (mirrored copies included) over its
 * ready pods. The destinations of rules with request matches (header, cookie, path) are left out:
 * their share of the traffic is unknown. Each rule without matches is a stream of its own (the
 * gateway's requests, in-mesh calls); a subset's share is its largest share in any of them. A
 * mirror counts with its whole percentage in its rule's stream, and a mirror on a rule with matches
 * (sticky users of stable) in every stream: at most that share of all requests is copied.
 */
import { HttpRule } from './routing';
import { show } from './validate';

/** The load a subset carries. */
export interface PodLoad {
  /** The subset (or the host, for a route without subset). */
  readonly subset: string;
  /** Its share of the weighted traffic, in percent (mirrored copies included). */
  readonly share: number;
  /** Its ready pods. */
  readonly pods: number;
}

/** The bar: the per-pod share of the stable version before the release, and the tolerance. */
export interface CapacityBar {
  /** The stable version's pods before the release began (it took every request). */
  readonly stablePodsBefore: number;
  /** The tolerance: a pod may carry this many times the stable's per-pod share. */
  readonly maxPodLoad: number;
}

// Shares are sums of whole or decimal percentages: compare with a margin for float error.
const EPSILON = 1e-9;

/** Each subset's share of the weighted traffic, from the routing model. */
export function ruleShares(rules: readonly HttpRule[]): Map<string, number> {
  const shares = new Map<string, number>();
  const matchedMirrors = new Map<string, number>();
  for (const rule of rules.filter((r) => r.matches.length > 0 && r.mirror !== undefined)) {
    const key = rule.mirror!.subset ?? rule.mirror!.host;
    matchedMirrors.set(key, (matchedMirrors.get(key) ?? 0) + rule.mirror!.percentage.value);
  }
  for (const rule of rules.filter((r) => r.matches.length === 0)) {
    const stream = new Map<string, number>();
    for (const d of rule.destinations) {
      const key = d.subset ?? d.host;
      stream.set(key, (stream.get(key) ?? 0) + (d.weight?.percent ?? (rule.destinations.length === 1 ? 100 : 0)));
    }
    if (rule.mirror !== undefined) {
      const key = rule.mirror.subset ?? rule.mirror.host;
      stream.set(key, (stream.get(key) ?? 0) + rule.mirror.percentage.value);
    }
    for (const [key, share] of matchedMirrors) {
      stream.set(key, (stream.get(key) ?? 0) + share);
    }
    for (const [key, share] of stream) {
      shares.set(key, Math.max(shares.get(key) ?? 0, share));
    }
  }
  return shares;
}

/** The stable's per-pod share before the release, in percent. */
export function baselineShare(bar: CapacityBar): number {
  return 100 / bar.stablePodsBefore;
}

/** Pods a subset needs to carry `share` within the bar (0 for no share). */
export function podsNeeded(share: number, bar: CapacityBar): number {
  if (share <= 0) {
    return 0;
  }
  return Math.ceil(share / (baselineShare(bar) * bar.maxPodLoad) - EPSILON);
}

/** `12.5`, `33.33`: a percentage with at most two decimals. */
export function formatShare(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/**
 * Every load above the bar, as messages with the numbers (empty when all fit). A subset with a
 * share and no pods is left to the checks of routes without pods.
 */
export function capacityProblems(loads: readonly PodLoad[], bar: CapacityBar): string[] {
  const limit = baselineShare(bar) * bar.maxPodLoad;
  return loads.filter((l) => l.share > 0 && l.pods > 0 && l.share / l.pods > limit + EPSILON).map((l) => {
    const needed = podsNeeded(l.share, bar);
    return `subset ${l.subset} takes ${formatShare(l.share)}% of the requests on ${l.pods} ${l.pods === 1 ? 'pod' : 'pods'} (${formatShare(l.share / l.pods)}% per pod), `
      + `above the stable's ${formatShare(baselineShare(bar))}% per pod before the release (100% over ${bar.stablePodsBefore} ${bar.stablePodsBefore === 1 ? 'pod' : 'pods'})`
      + `${bar.maxPodLoad === 1 ? '' : ` times maxPodLoad ${bar.maxPodLoad}`}: it needs at least ${needed} ${needed === 1 ? 'pod' : 'pods'}, or a higher maxPodLoad`;
  });
}

/**
 * Checks a `maxPodLoad` prop: a finite number of at least 1 (below 1, the stable version itself
 * would break the bar before the release).
 */
export function checkMaxPodLoad(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new Error(`${prop} must be a number of at least 1 (1: no pod carries more than a stable pod did before the release), got ${show(value)}`);
  }
  return value;
}

/** The inputs of `checkReleaseCapacity`. */
export interface ReleaseCapacity {
  /** The release's rules. */
  readonly rules: readonly HttpRule[];
  /** Pods of each subset. */
  readonly pods: ReadonlyMap<string, number>;
  /** The stable version's subset: before the release it took every request on its pods. */
  readonly stableSubset: string;
  /**
   * The tolerance.
   * @default 1
   */
  readonly maxPodLoad?: number;
}

/**
 * Throws if a subset of a release carries more per pod than the stable version did before the
 * release (every request over its pods), times `maxPodLoad`.
 */
export function checkReleaseCapacity(release: ReleaseCapacity): void {
  const maxPodLoad = checkMaxPodLoad('maxPodLoad', release.maxPodLoad ?? 1);
  const stablePodsBefore = release.pods.get(release.stableSubset) ?? 0;
  if (stablePodsBefore === 0) {
    // No pods at all: left to the checks of routes without pods.
    return;
  }
  const loads = [...ruleShares(release.rules)].map(([subset, share]) => ({ subset, share, pods: release.pods.get(subset) ?? 0 }));
  const problems = capacityProblems(loads, { stablePodsBefore, maxPodLoad });
  if (problems.length > 0) {
    throw new Error(`the release puts more on a pod than a stable pod carried before it: ${problems.join('; ')}`);
  }
}
