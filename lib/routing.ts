import { RequestMatch } from './match';
import { Percentage } from './percentage';
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
  /**
   * A `Set-Cookie` value added to responses from this destination (sticky sessions).
   * @default - none
   */
  readonly setCookie?: string;
}

/** Retries of a rule, rendered as Istio's `HTTPRetry`. */
export interface RenderedRetries {
  /** Attempts after the first one. */
  readonly attempts: number;
  /**
   * Timeout of each attempt, e.g. `2s`.
   * @default - the route's timeout
   */
  readonly perTryTimeout?: string;
  /**
   * Comma-separated retry conditions.
   * @default - Istio's default conditions
   */
  readonly retryOn?: string;
}

/** Fault injection of a rule, rendered as Istio's `HTTPFaultInjection`. */
export interface RenderedFault {
  /**
   * Delay a share of requests.
   * @default - no delay
   */
  readonly delay?: { readonly fixedDelay: string; readonly percentage: { readonly value: number } };
  /**
   * Abort a share of requests with an HTTP status.
   * @default - no abort
   */
  readonly abort?: { readonly httpStatus: number; readonly percentage: { readonly value: number } };
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
   * Timeout of a request, e.g. `5s`.
   * @default - none
   */
  readonly timeout?: string;
  /**
   * Retries.
   * @default - Istio's default retries
   */
  readonly retries?: RenderedRetries;
  /**
   * Faults injected, for testing.
   * @default - none
   */
  readonly fault?: RenderedFault;
}

/** Sticky canary sessions: who lands on the canary keeps a cookie that sends them back there. */
export interface StickyRouting {
  /** The cookie's name. */
  readonly cookieName: string;
  /** How long the cookie lasts, in seconds. */
  readonly maxAgeSeconds: number;
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
   * Copy this share of the stable version's requests to the canary (shadow traffic).
   * @default - no mirroring
   */
  readonly mirror?: Percentage;
  /**
   * Keep who lands on the canary there.
   * @default - no stickiness
   */
  readonly sticky?: StickyRouting;
  /**
   * Timeout of every rule.
   * @default - none
   */
  readonly timeout?: string;
  /**
   * Retries of every rule.
   * @default - Istio's default retries
   */
  readonly retries?: RenderedRetries;
  /**
   * Faults injected into the rules that go only to the canary.
   * @default - none
   */
  readonly canaryFault?: RenderedFault;
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

/** The cookie a sticky canary sets: `<name>=<canary subset>`. */
export function stickyCookie(sticky: StickyRouting, canarySubset: string): string {
  return `${sticky.cookieName}=${canarySubset}; Max-Age=${sticky.maxAgeSeconds}; Path=/`;
}

/**
 * The rules of a canary release, most specific first: returning sticky users and the canary's
 * matches go wholly to the canary; everything else is split by weight, the canary first as in
 * Istio's examples.
 */
export function canaryRules(routing: CanaryRouting): HttpRule[] {
  const matches = routing.canaryMatches ?? [];
  const weight = routing.canaryWeight ?? Weight.NONE;
  const canary = routing.canarySubset;
  if (canary === undefined && (matches.length > 0 || weight.percent > 0 || routing.mirror !== undefined)) {
    throw new Error(`canary must be set when canary matches, a canary weight or mirroring are given, got weight ${weight} and ${matches.length} match(es)`);
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
  const sticky = canary !== undefined && routing.sticky !== undefined && weight.percent > 0 && weight.percent < 100 ? routing.sticky : undefined;
  if (sticky !== undefined) {
    rules.push({ matches: [RequestMatch.cookie(sticky.cookieName, canary!)], destinations: [toCanary], ...gateways, ...policy, ...fault });
  }
  if (canary !== undefined && matches.length > 0) {
    rules.push({ matches, destinations: [toCanary], ...gateways, ...policy, ...fault });
  }
  if (canary === undefined || weight.percent === 0) {
    rules.push({ matches: [], destinations: [toStable], ...policy, ...mirror });
    return rules;
  }
  if (weight.percent === 100) {
    rules.push({ matches: [], destinations: [toCanary], ...gateways, ...policy, ...fault });
  } else {
    const cookie = sticky !== undefined ? { setCookie: stickyCookie(sticky, canary) } : {};
    rules.push({
      matches: [],
      destinations: [{ ...toCanary, weight, ...cookie }, { ...toStable, weight: weight.complement() }],
      ...gateways,
      ...policy,
      ...mirror,
    });
  }
  if (routing.canaryGateways !== undefined) {
    // Requests through other gateways (in-mesh calls) stay on the stable version.
    rules.push({ matches: [], destinations: [toStable], ...policy, ...mirror });
  }
  return rules;
}

/** Every subset that some rule routes (or mirrors) to, in order of first use. */
export function routedSubsets(rules: readonly HttpRule[]): string[] {
  const subsets = rules.flatMap((rule) => [...rule.destinations.map((d) => d.subset), rule.mirror?.subset]).filter((s): s is string => s !== undefined);
  return [...new Set(subsets)];
}

/** The Istio `HTTPRoute` list for `spec.http`. */
export function renderHttpRules(rules: readonly HttpRule[]): Array<Record<string, unknown>> {
  return rules.map((rule) => {
    const gateways = rule.gateways !== undefined ? { gateways: [...rule.gateways] } : {};
    const matches = rule.matches.length > 0
      ? rule.matches.map((m) => ({ ...m.toJson(), ...gateways }))
      : rule.gateways !== undefined ? [gateways] : [];
    return {
      ...(matches.length > 0 ? { match: matches } : {}),
      route: rule.destinations.map((d) => ({
        destination: { host: d.host, ...(d.subset !== undefined ? { subset: d.subset } : {}) },
        ...(d.weight !== undefined ? { weight: d.weight.percent } : {}),
        ...(d.setCookie !== undefined ? { headers: { response: { add: { 'set-cookie': d.setCookie } } } } : {}),
      })),
      ...(rule.mirror !== undefined ? {
        mirror: { host: rule.mirror.host, ...(rule.mirror.subset !== undefined ? { subset: rule.mirror.subset } : {}) },
        mirrorPercentage: { value: rule.mirror.percentage.value },
      } : {}),
      ...(rule.timeout !== undefined ? { timeout: rule.timeout } : {}),
      ...(rule.retries !== undefined ? { retries: { ...rule.retries } } : {}),
      ...(rule.fault !== undefined ? { fault: rule.fault } : {}),
    };
  });
}
