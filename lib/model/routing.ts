import { Duration } from 'cdk8s';
import { RequestMatch } from './match';
import { Percentage } from './percentage';
import type { FaultOptions, RetryOptions } from './traffic-policy';
import { Weight } from './weight';

/**
 * The routing model: the HTTP rules of a release as plain, API-neutral values, built and checked
 * without a construct tree. Renderers turn them into objects at synthesis: Istio's VirtualService
 * rules (`lib/render/istio/routes.ts`) or the Gateway API's HTTPRoute rules
 * (`lib/render/gateway-api/routes.ts`).
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
  /**
   * A `Set-Cookie` value added to responses from this destination (sticky sessions).
   * @default - none
   */
  readonly setCookie?: string;
}

/** One HTTP rule: requests that meet any of `matches` (or all requests) go to `destinations`. */
export interface HttpRule {
  /** Alternatives (OR); empty means every request. */
  readonly matches: readonly RequestMatch[];
  /** Destinations whose weights add up to 100 when there is more than one. */
  readonly destinations: readonly RouteDestination[];
  /**
   * Restricts the rule to requests through these gateways (`mesh` for in-mesh calls).
   * @default - every gateway the VirtualService is bound to
   */
  readonly gateways?: readonly string[];
  /**
   * Copies of a share of the rule's requests, sent there too; responses are ignored.
   * @default - no mirroring
   */
  readonly mirror?: { readonly host: string; readonly subset?: string; readonly percentage: Percentage };
  /**
   * Timeout of a request, checked (whole milliseconds, at least 1 ms).
   * @default - none
   */
  readonly timeout?: Duration;
  /**
   * Retries, checked.
   * @default - Istio's default retries
   */
  readonly retries?: RetryOptions;
  /**
   * Faults injected, for testing, checked.
   * @default - none
   */
  readonly fault?: FaultOptions;
}

/**
 * Sticky sessions: the weighted split assigns each user a version once, with a cookie naming it,
 * and rules in front of the split send requests carrying the cookie back to that version.
 */
export interface StickyRouting {
  /** The cookie's name. */
  readonly cookieName: string;
  /** How long the cookie lasts, in seconds. */
  readonly maxAgeSeconds: number;
  /**
   * Mark the cookie `Secure` (sent back over HTTPS only).
   * @default false
   */
  readonly secure?: boolean;
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
  /**
   * Copy this share of the requests that only the stable version serves to the canary (shadow
   * traffic): the requests of the catch-all rule when the weight is 0, or of the rule that keeps
   * sticky users on stable. A weight between 1 and 99 without sticky sessions has no such rule,
   * and is refused.
   * @default - no mirroring
   */
  readonly mirror?: Percentage;
  /**
   * Assign each user a version once.
   * @default - no stickiness
   */
  readonly sticky?: StickyRouting;
  /**
   * Timeout of every rule, checked.
   * @default - none
   */
  readonly timeout?: Duration;
  /**
   * Retries of every rule, checked.
   * @default - Istio's default retries
   */
  readonly retries?: RetryOptions;
  /**
   * Faults injected into the rules that go only to the canary, checked.
   * @default - none
   */
  readonly canaryFault?: FaultOptions;
  /**
   * Apply the canary rules to requests through these gateways only; the others (e.g. in-mesh
   * calls) always go to the stable version.
   * @default - the canary rules apply to every gateway the VirtualService is bound to
   */
  readonly canaryGateways?: readonly string[];
}

/** A rule sending every request to `host` (no subsets): an entry with no release. */
export function directRules(host: string): HttpRule[] {
  return [{ matches: [], destinations: [{ host }] }];
}

/** The cookie a sticky session sets: `<name>=<subset>`, the subset the user was assigned. */
export function stickyCookie(sticky: StickyRouting, subset: string): string {
  return `${sticky.cookieName}=${subset}; Max-Age=${sticky.maxAgeSeconds}; Path=/${sticky.secure ? '; Secure' : ''}`;
}

/**
 * Whether a mirror of stable traffic has a rule to go on at this canary weight: at 0 the catch-all
 * rule carries only stable traffic, and with sticky sessions the rule of users assigned to stable
 * does; a split without sticky sessions, or a weight of 100, has no such rule.
 */
export function mirrorFits(weight: Weight, sticky: boolean): boolean {
  return weight.percent === 0 || (weight.percent < 100 && sticky);
}

/**
 * Whether a release has a rule that takes only the canary's requests (where a canary fault
 * applies): a canary match, a weight of 100, or with sticky sessions the rule of users assigned
 * to the canary.
 */
export function hasCanaryOnlyRule(matches: number, weight: Weight, sticky: boolean): boolean {
  return matches > 0 || weight.percent === 100 || (sticky && weight.percent > 0);
}

/**
 * The rules of a canary release, most specific first: sticky users of the canary and the canary's
 * matches go wholly to the canary; sticky users of stable go to stable; everything else is split by
 * weight, the canary first as in Istio's examples, and with sticky sessions each destination of
 * the split sets the cookie that names it, so a user is assigned once.
 *
 * A mirror goes only on a rule that carries nothing but stable traffic (Istio mirrors every
 * request of the rule it is on, whichever destination serves it), and never on the fallback rule
 * of other gateways.
 */
export function canaryRules(routing: CanaryRouting): HttpRule[] {
  const matches = routing.canaryMatches ?? [];
  const weight = routing.canaryWeight ?? Weight.NONE;
  const canary = routing.canarySubset;
  if (canary === undefined && (matches.length > 0 || weight.percent > 0 || routing.mirror !== undefined)) {
    throw new Error(`canary must be set when canary matches, a canary weight or mirroring are given, got weight ${weight} and ${matches.length} match(es)`);
  }
  const split = weight.percent > 0 && weight.percent < 100;
  if (routing.mirror !== undefined && !mirrorFits(weight, routing.sticky !== undefined)) {
    throw new Error(weight.percent === 100
      ? 'mirroring copies stable traffic, but a canary weight of 100 leaves none to copy: remove the mirror'
      : `mirroring copies stable traffic only, but a weighted split (canary weight ${weight}) without sticky sessions has no rule that carries only stable traffic: Istio would mirror the canary's own requests too`);
  }
  const host = routing.host;
  const policy = {
    ...(routing.timeout !== undefined ? { timeout: routing.timeout } : {}),
    ...(routing.retries !== undefined ? { retries: routing.retries } : {}),
  };
  const gateways = routing.canaryGateways !== undefined ? { gateways: routing.canaryGateways } : {};
  const toCanary: RouteDestination = { host, subset: canary };
  const toStable: RouteDestination = { host, subset: routing.stableSubset };
  const mirror = canary !== undefined && routing.mirror !== undefined ? { mirror: { host, subset: canary, percentage: routing.mirror } } : {};
  const fault = routing.canaryFault !== undefined ? { fault: routing.canaryFault } : {};

  const rules: HttpRule[] = [];
  const sticky = canary !== undefined && routing.sticky !== undefined && split ? routing.sticky : undefined;
  if (sticky !== undefined) {
    rules.push({ matches: [RequestMatch.cookie(sticky.cookieName, canary!)], destinations: [toCanary], ...gateways, ...policy, ...fault });
  }
  if (canary !== undefined && matches.length > 0) {
    rules.push({ matches, destinations: [toCanary], ...gateways, ...policy, ...fault });
  }
  if (canary === undefined || weight.percent === 0) {
    if (routing.canaryGateways !== undefined && routing.mirror !== undefined) {
      // Mirror the gateway's stable traffic only; in-mesh calls fall through to the rule below.
      rules.push({ matches: [], destinations: [toStable], ...gateways, ...policy, ...mirror });
      rules.push({ matches: [], destinations: [toStable], ...policy });
    } else {
      rules.push({ matches: [], destinations: [toStable], ...policy, ...mirror });
    }
    return rules;
  }
  if (weight.percent === 100) {
    rules.push({ matches: [], destinations: [toCanary], ...gateways, ...policy, ...fault });
  } else {
    if (sticky !== undefined) {
      // Users assigned to stable stay there; this rule carries only stable traffic, so it is where a mirror goes.
      rules.push({ matches: [RequestMatch.cookie(sticky.cookieName, routing.stableSubset)], destinations: [toStable], ...gateways, ...policy, ...mirror });
    }
    const cookie = (subset: string) => (sticky !== undefined ? { setCookie: stickyCookie(sticky, subset) } : {});
    rules.push({
      matches: [],
      destinations: [{ ...toCanary, weight, ...cookie(canary) }, { ...toStable, weight: weight.complement(), ...cookie(routing.stableSubset) }],
      ...gateways,
      ...policy,
    });
  }
  if (routing.canaryGateways !== undefined) {
    // Requests through other gateways (in-mesh calls) stay on the stable version, and are not mirrored.
    rules.push({ matches: [], destinations: [toStable], ...policy });
  }
  return rules;
}

/** Every subset that some rule routes (or mirrors) to, in order of first use. */
export function routedSubsets(rules: readonly HttpRule[]): string[] {
  const subsets = rules.flatMap((rule) => [...rule.destinations.map((d) => d.subset), rule.mirror?.subset]).filter((s): s is string => s !== undefined);
  return [...new Set(subsets)];
}
