import { RE2JS } from '@bufbuild/re2';
import { Duration } from 'cdk8s';
import { RequestMatch, StringMatch, StringMatchKind } from '../../model/match';
import { TrafficApi, unsupportedFeature, USE_ISTIO_API } from '../../model/traffic-api';
import type { HttpRule, RouteDestination } from '../../model/routing';

/**
 * The routing model as Gateway API HTTPRoute rules (v1.5.1 standard channel).
 *
 * The Gateway API routes to Services, not subsets: each version gets its own Service, and a rule's
 * destination `{ host, subset }` becomes a `backendRef` to that Service.
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule
 */

const API = TrafficApi.GATEWAY_API;
/** The most header or query conditions an `HTTPRouteMatch` holds (the CRD's `maxItems`). */
const MAX_CONDITIONS = 16;
/** The most matches an HTTPRoute rule holds (the CRD's `maxItems`). */
export const MAX_MATCHES = 64;
/** The most rules an HTTPRoute holds (the CRD's `maxItems`). */
const MAX_RULES = 16;
/** The most matches an HTTPRoute holds over all its rules (the CRD's rule: fewer than 128). */
const MAX_ROUTE_MATCHES = 127;

/** What a renderer needs besides the rules. */
export interface GatewayApiRouteContext {
  /** The port of the website's Services. */
  readonly port: number;
}

/**
 * The name of the Service that selects one version: `<service>-<subset>`, e.g. `website-v2`.
 * Reproducible, so that a route written at one stage names the Service of the next.
 */
export function versionServiceName(serviceName: string, subsetName: string): string {
  return `${serviceName}-${subsetName}`;
}

/** The Service a destination goes to: the version's Service, or the site-wide one. */
export function backendName(destination: { readonly host: string; readonly subset?: string }): string {
  return destination.subset !== undefined ? versionServiceName(destination.host, destination.subset) : destination.host;
}

/**
 * Checks that `match` can be written as an `HTTPRouteMatch` with the meaning it has in Istio.
 *
 * @param prop the prop, as the user wrote it
 * @throws naming the condition, the API and the alternative, when it cannot
 */
export function checkGatewayApiMatch(prop: string, match: RequestMatch): void {
  if (match.withoutHeaderConditions.size > 0) {
    throw unsupportedFeature(`${prop} withoutHeader`, API, 'HTTPRoute matches have no negative header condition', USE_ISTIO_API);
  }
  for (const [what, size] of [['header', match.headerConditions.size], ['query parameter', match.queryParamConditions.size]] as const) {
    if (size > MAX_CONDITIONS) {
      throw unsupportedFeature(`${prop} with ${size} ${what} conditions`, API, `an HTTPRouteMatch holds at most ${MAX_CONDITIONS}`, `split the conditions over fewer, or ${USE_ISTIO_API}`);
    }
  }
  const uri = match.uriCondition;
  if (uri !== undefined && uri.kind !== StringMatchKind.EXACT) {
    const why = uri.kind === StringMatchKind.PREFIX
      ? 'PathPrefix matches whole path segments ("/api" does not match "/apix"), not a string prefix as Istio does'
      : 'Istio ranks RegularExpression paths below every PathPrefix, so the catch-all rule would take the requests first';
    throw unsupportedFeature(`${prop} uri ${uri.kind}`, API, why, `match an exact path (RequestMatch.uri('/path')), a header or a query parameter; or ${USE_ISTIO_API}`);
  }
}

/**
 * A match's precedence as Istio orders HTTPRoute matches (the Gateway API's precedence rules):
 * path type (Exact over PathPrefix; a match without a path is PathPrefix "/"), path length, number
 * of header conditions, number of query conditions. Equal ranks keep the rules' order.
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule
 */
function rank(match: RequestMatch | undefined): number[] {
  const uri = match?.uriCondition;
  const path = uri !== undefined ? [3, uri.value.length] : [2, 1];
  return [...path, match?.headerConditions.size ?? 0, match?.queryParamConditions.size ?? 0];
}

function outranks(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return a[i] > b[i];
    }
  }
  return false;
}

function outcome(rule: HttpRule): string {
  return JSON.stringify([rule.destinations.map((d) => [d.host, d.subset, d.weight?.percent, d.setCookie]), rule.mirror?.subset, rule.mirror?.percentage.value, rule.timeout?.toMilliseconds({ integral: false })]);
}

/**
 * Checks that the rules keep their meaning as HTTPRoute rules. Istio applies a VirtualService's
 * rules in order; an HTTPRoute's matches are ranked by precedence first, and by order only among
 * equals. So a later rule that sends requests elsewhere may not outrank an earlier one.
 *
 * @throws when a later rule would take requests that an earlier rule takes in Istio
 */
export function checkGatewayApiOrder(rules: readonly HttpRule[]): void {
  rules.forEach((earlier, i) => {
    for (const later of rules.slice(i + 1)) {
      if (outcome(later) === outcome(earlier)) {
        continue;
      }
      const earlierMatches = earlier.matches.length > 0 ? earlier.matches : [undefined];
      const laterMatches = later.matches.length > 0 ? later.matches : [undefined];
      for (const e of earlierMatches) {
        for (const l of laterMatches) {
          if (outranks(rank(l), rank(e))) {
            throw unsupportedFeature(
              `the match ${e === undefined ? 'on every request' : `"${e}"`}`,
              API,
              `HTTPRoute ranks matches by path, then number of headers, then number of query parameters, not by order: the later match "${l}" would take precedence`,
              `give that match at least as many header conditions (e.g. add a header or match on a header instead of a query parameter), or ${USE_ISTIO_API}`,
            );
          }
        }
      }
    }
  });
}

/** A string condition as an HTTPRoute header or query match: exact, or an RE2 regular expression. */
function stringMatch(name: string, m: StringMatch): Record<string, string> {
  switch (m.kind) {
    case StringMatchKind.EXACT:
      return { name, type: 'Exact', value: m.value };
    case StringMatchKind.REGEX:
      return { name, type: 'RegularExpression', value: m.value };
    case StringMatchKind.PREFIX:
      // The standard channel has no prefix type; a quoted prefix followed by anything means the same.
      return { name, type: 'RegularExpression', value: `${RE2JS.quote(m.value)}.*` };
    case StringMatchKind.PRESENT:
      return { name, type: 'RegularExpression', value: '.*' };
  }
}

/** One `HTTPRouteMatch`. */
export function renderGatewayApiMatch(match: RequestMatch): Record<string, unknown> {
  checkGatewayApiMatch('match', match);
  const uri = match.uriCondition;
  const headers = [...match.headerConditions].map(([name, m]) => stringMatch(name, m));
  const query = [...match.queryParamConditions].map(([name, m]) => stringMatch(name, m));
  return {
    ...(uri !== undefined ? { path: { type: 'Exact', value: uri.value } } : {}),
    ...(headers.length > 0 ? { headers } : {}),
    ...(query.length > 0 ? { queryParams: query } : {}),
  };
}

/**
 * A checked duration as the Gateway API writes it: up to four parts of at most five digits each
 * (`1h30m`, `250ms`).
 */
export function gatewayApiDuration(duration: Duration): string {
  let ms = duration.toMilliseconds({ integral: false });
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(ms / size);
    ms -= n * size;
    if (n > 0) {
      parts.push(`${n}${unit}`);
    }
  }
  const text = parts.join('');
  if (!/^([0-9]{1,5}(h|m|s|ms)){1,4}$/.test(text)) {
    throw new Error(`duration must be below 100000 hours for the Gateway API, got ${duration.toHours({ integral: false })}h`);
  }
  return text;
}

function backendRef(destination: RouteDestination, context: GatewayApiRouteContext, weighted: boolean): Record<string, unknown> {
  return {
    name: backendName(destination),
    port: context.port,
    ...(weighted && destination.weight !== undefined ? { weight: destination.weight.percent } : {}),
    ...(destination.setCookie !== undefined ? {
      filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: destination.setCookie }] } }],
    } : {}),
  };
}

/** `percent` when whole, else a fraction in millionths (Istio's own resolution). */
function mirrorShare(percent: number): Record<string, unknown> {
  return Number.isInteger(percent)
    ? { percent }
    : { fraction: { numerator: Math.round(percent * 10_000), denominator: 1_000_000 } };
}

/**
 * The rules that apply to one parent: those restricted to `gateway` and those without a
 * restriction, in order, up to the first that takes every request (the fallback for other
 * gateways that follows it could never match).
 *
 * @param gateway the gateway name the rules' `gateways` use (`mesh` for in-mesh calls)
 */
export function rulesForParent(rules: readonly HttpRule[], gateway: string): HttpRule[] {
  const applying = rules.filter((rule) => rule.gateways === undefined || rule.gateways.includes(gateway));
  const catchAll = applying.findIndex((rule) => rule.matches.length === 0);
  return catchAll >= 0 ? applying.slice(0, catchAll + 1) : applying;
}

/**
 * The rules as HTTPRoute `rules`. Retries and faults are not in the v1.5.1 standard channel: a
 * rule that has them is refused.
 */
export function renderGatewayApiRules(rules: readonly HttpRule[], context: GatewayApiRouteContext): Array<Record<string, unknown>> {
  // A release makes at most five rules and 66 matches; these guard other route sources.
  if (rules.length > MAX_RULES) {
    throw unsupportedFeature(`a routing of ${rules.length} rules`, API, `an HTTPRoute holds at most ${MAX_RULES}`, USE_ISTIO_API);
  }
  const matches = rules.reduce((n, rule) => n + rule.matches.length, 0);
  if (matches > MAX_ROUTE_MATCHES) {
    throw unsupportedFeature(`a routing of ${matches} matches over its rules`, API, `an HTTPRoute holds at most ${MAX_ROUTE_MATCHES} over all its rules`, USE_ISTIO_API);
  }
  checkGatewayApiOrder(rules);
  return rules.map((rule) => {
    if (rule.retries !== undefined) {
      throw unsupportedFeature('retries', API, 'HTTPRoute has no retry field in the standard channel', USE_ISTIO_API);
    }
    if (rule.fault !== undefined) {
      throw unsupportedFeature('canaryFault', API, 'HTTPRoute has no fault injection', USE_ISTIO_API);
    }
    const weighted = rule.destinations.length > 1;
    return {
      ...(rule.matches.length > 0 ? { matches: rule.matches.map(renderGatewayApiMatch) } : {}),
      ...(rule.mirror !== undefined ? {
        filters: [{
          type: 'RequestMirror',
          requestMirror: { backendRef: { name: backendName(rule.mirror), port: context.port }, ...mirrorShare(rule.mirror.percentage.value) },
        }],
      } : {}),
      backendRefs: rule.destinations.map((d) => backendRef(d, context, weighted)),
      ...(rule.timeout !== undefined ? { timeouts: { request: gatewayApiDuration(rule.timeout) } } : {}),
    };
  });
}
