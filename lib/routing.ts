import { RequestMatch } from './match';
import { Weight } from './weight';

/**
 * The routing model: the HTTP rules of a VirtualService as plain values, built and checked
 * without a construct tree, then rendered to Istio's JSON.
 */

/** Where a rule sends (part of) its traffic. */
export interface RouteDestination {
  /** The Service host, as the VirtualService names it. */
  readonly host: string;
  /**
   * The DestinationRule subset.
   * @default - any pod of the Service
   */
  readonly subset?: string;
  /**
   * The share of the rule's traffic; omitted when the rule has a single destination.
   * @default - all of the rule's traffic
   */
  readonly weight?: Weight;
}

/** One HTTP rule: requests that meet any of `matches` (or all requests) go to `destinations`. */
export interface HttpRule {
  /** Alternatives (OR); empty means every request. */
  readonly matches: readonly RequestMatch[];
  /** Destinations whose weights add up to 100 when there is more than one. */
  readonly destinations: readonly RouteDestination[];
}

/** The inputs of a canary's routing. */
export interface CanaryRouting {
  /** The Service host both versions sit behind. */
  readonly host: string;
  /** The subset that takes all traffic not sent to the canary. */
  readonly stableSubset: string;
  /**
   * The canary's subset.
   * @default - no canary: everything goes to the stable subset
   */
  readonly canarySubset?: string;
  /**
   * Requests that go to the canary whatever the weight.
   * @default - none
   */
  readonly canaryMatches?: readonly RequestMatch[];
  /**
   * The share of the remaining requests that goes to the canary.
   * @default Weight.NONE
   */
  readonly canaryWeight?: Weight;
}

/** A rule sending every request to `host` (no subsets): an entry with no release. */
export function directRules(host: string): HttpRule[] {
  return [{ matches: [], destinations: [{ host }] }];
}

/**
 * The rules of a canary release, most specific first: the canary's matches (if any) go wholly
 * to the canary; everything else is split by weight, the canary first as in Istio's examples.
 */
export function canaryRules(routing: CanaryRouting): HttpRule[] {
  const matches = routing.canaryMatches ?? [];
  const weight = routing.canaryWeight ?? Weight.NONE;
  const canary = routing.canarySubset;
  if (canary === undefined && (matches.length > 0 || weight.percent > 0)) {
    throw new Error(`canary must be set when canary matches or a canary weight are given, got weight ${weight} and ${matches.length} match(es)`);
  }
  const stable: RouteDestination = { host: routing.host, subset: routing.stableSubset };
  const rules: HttpRule[] = [];
  if (canary !== undefined && matches.length > 0) {
    rules.push({ matches, destinations: [{ host: routing.host, subset: canary }] });
  }
  if (canary === undefined || weight.percent === 0) {
    rules.push({ matches: [], destinations: [stable] });
  } else if (weight.percent === 100) {
    rules.push({ matches: [], destinations: [{ host: routing.host, subset: canary }] });
  } else {
    rules.push({
      matches: [],
      destinations: [
        { host: routing.host, subset: canary, weight },
        { ...stable, weight: weight.complement() },
      ],
    });
  }
  return rules;
}

/** Every subset that some rule routes to, in order of first use. */
export function routedSubsets(rules: readonly HttpRule[]): string[] {
  const subsets = rules.flatMap((rule) => rule.destinations.map((d) => d.subset)).filter((s): s is string => s !== undefined);
  return [...new Set(subsets)];
}

/** The Istio `HTTPRoute` list for `spec.http`. */
export function renderHttpRules(rules: readonly HttpRule[]): Array<Record<string, unknown>> {
  return rules.map((rule) => ({
    ...(rule.matches.length > 0 ? { match: rule.matches.map((m) => m.toJson()) } : {}),
    route: rule.destinations.map((d) => ({
      destination: { host: d.host, ...(d.subset !== undefined ? { subset: d.subset } : {}) },
      ...(d.weight !== undefined ? { weight: d.weight.percent } : {}),
    })),
  }));
}
