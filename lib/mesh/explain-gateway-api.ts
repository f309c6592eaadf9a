/**
 * Where Gateway API HTTPRoutes send a request: the routes attached to the Gateway API Gateway the
 * request comes through (ingress) or to the Service it is for (mesh routing, GAMMA), and among
 * their matches the one the spec puts first.
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule
 */
import { attachedListeners, hostnamesIntersect, routeAllowed } from './gateway-api-checks';
import { RequestDescription } from './http-match';
import { NameValueMatchJson, RouteMatchJson } from './json';
import { ApiGatewayInfo, GATEWAY_API_GROUP, HttpRouteInfo, MeshIndex } from './manifests';

/** A match of an HTTPRoute rule that a request meets. */
export interface RouteRuleMatch {
  readonly route: HttpRouteInfo;
  /** The rule, 0-based. */
  readonly rule: number;
  /** The match (`{}` for a rule without matches, which takes every request). */
  readonly match: RouteMatchJson;
}

/** Whether a request for `host` can use `pattern` (a route or listener hostname); host `*` is any. */
function hostMatches(pattern: string | undefined, host: string): boolean {
  return host === '*' || hostnamesIntersect(pattern, host);
}

/**
 * The HTTPRoutes a Gateway API Gateway applies to a request for `host` on `port`: attached by a
 * parentRef to a listener (of that port, when known) whose hostname takes the host and that
 * allows routes of the route's namespace (`allowedRoutes`: the Gateway's namespace by default),
 * and whose own hostnames (none means any) take the host.
 */
export function routesOfGateway(index: MeshIndex, gateway: ApiGatewayInfo, host: string, port: number | undefined): HttpRouteInfo[] {
  return index.httpRoutes.filter((route) => route.parentRefs.some((p) => {
    if ((p.group ?? GATEWAY_API_GROUP) !== GATEWAY_API_GROUP || (p.kind ?? 'Gateway') !== 'Gateway'
      || (p.namespace ?? route.ref.namespace) !== gateway.ref.namespace || p.name !== gateway.ref.name) {
      return false;
    }
    return attachedListeners(gateway, p).some((l) => (port === undefined || l.port === port)
      && hostMatches(l.hostname, host)
      && routeAllowed(l, gateway, route, index));
  }) && (route.hostnames.length === 0 || route.hostnames.some((h) => hostMatches(h, host))));
}

/** The HTTPRoutes attached to the Service `fqdn` (a parentRef of `group: ""`, `kind: Service`; of `port`, when both are known). */
export function routesOfService(index: MeshIndex, fqdn: string, port: number | undefined): HttpRouteInfo[] {
  return index.httpRoutes.filter((route) => route.parentRefs.some((p) => p.group === '' && p.kind === 'Service'
    && `${p.name}.${p.namespace ?? route.ref.namespace}.svc.cluster.local` === fqdn
    && (p.port === undefined || port === undefined || p.port === port)));
}

function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

function valueMatches(m: NameValueMatchJson, value: string | null | undefined): boolean {
  return value !== null && value !== undefined && (m.type === 'RegularExpression' ? fullMatch(String(m.value), value) : value === m.value);
}

/**
 * Whether a request meets an HTTPRoute match: its path (`/` as a prefix by default; a prefix
 * matches whole path segments), method, every header (names in any case) and every query
 * parameter.
 */
export function routeMatchAdmits(match: RouteMatchJson, request: RequestDescription): boolean {
  const [path, query = ''] = request.path.split('?', 2);
  const type = match.path?.type ?? 'PathPrefix';
  const value = match.path?.value ?? '/';
  if (type === 'Exact' && path !== value) {
    return false;
  }
  if (type === 'PathPrefix') {
    const prefix = value.replace(/\/+$/, '');
    if (prefix !== '' && path !== prefix && !path.startsWith(`${prefix}/`)) {
      return false;
    }
  }
  if (type === 'RegularExpression' && !fullMatch(value, path)) {
    return false;
  }
  if (match.method !== undefined && match.method !== request.method) {
    return false;
  }
  const params = new URLSearchParams(query);
  return (match.headers ?? []).every((h) => valueMatches(h, request.headers[String(h.name).toLowerCase()]))
    && (match.queryParams ?? []).every((q) => valueMatches(q, params.get(String(q.name))));
}

/** Exact paths before prefixes, prefixes before regular expressions (Istio's order; the spec leaves regular expressions to the implementation). */
const PATH_RANK: Record<string, number> = { Exact: 3, PathPrefix: 2, RegularExpression: 1 };

/**
 * The spec's order of precedence between matches: an exact path, then the longest path, then a
 * method, then the most headers, then the most query parameters; then the route (the oldest, which
 * manifests cannot tell, so by namespace and name, as among routes created together), then the
 * rule and match order.
 */
export function compareRouteMatches(a: RouteRuleMatch, b: RouteRuleMatch): number {
  const rank = (m: RouteMatchJson) => PATH_RANK[m.path?.type ?? 'PathPrefix'] ?? 0;
  const length = (m: RouteMatchJson) => (m.path?.value ?? '/').length;
  const name = (r: HttpRouteInfo) => `${r.ref.namespace}/${r.ref.name}`;
  return rank(b.match) - rank(a.match)
    || length(b.match) - length(a.match)
    || Number(b.match.method !== undefined) - Number(a.match.method !== undefined)
    || (b.match.headers?.length ?? 0) - (a.match.headers?.length ?? 0)
    || (b.match.queryParams?.length ?? 0) - (a.match.queryParams?.length ?? 0)
    || (name(a.route) < name(b.route) ? -1 : name(a.route) > name(b.route) ? 1 : 0)
    || a.rule - b.rule;
}

/** The match that takes the request among every match of `routes`, if any. */
export function pickRouteMatch(routes: readonly HttpRouteInfo[], request: RequestDescription): RouteRuleMatch | undefined {
  const candidates: RouteRuleMatch[] = [];
  for (const route of routes) {
    route.rules.forEach((rule, i) => {
      const matches = Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches : [{}];
      for (const match of matches) {
        if (match !== null && typeof match === 'object' && routeMatchAdmits(match, request)) {
          candidates.push({ route, rule: i, match });
        }
      }
    });
  }
  // A stable sort keeps the matches of one rule in their order.
  return candidates.sort(compareRouteMatches)[0];
}

/** `path prefix "/shop" and header qa exactly "canary-test"`; `every request` for none. */
export function describeRouteMatch(match: RouteMatchJson): string {
  const how = (m: { type?: string; value?: string }) => (m.type === 'RegularExpression' ? `matching /${m.value}/` : `exactly "${m.value}"`);
  const parts: string[] = [];
  if (match.path !== undefined) {
    const type = match.path.type ?? 'PathPrefix';
    const value = match.path.value ?? '/';
    parts.push(type === 'PathPrefix' ? `path starting with "${value}"` : `path ${how({ type, value })}`);
  }
  if (match.method !== undefined) {
    parts.push(`method ${match.method}`);
  }
  for (const h of match.headers ?? []) {
    parts.push(`header ${h.name} ${how(h)}`);
  }
  for (const q of match.queryParams ?? []) {
    parts.push(`query parameter ${q.name} ${how(q)}`);
  }
  return parts.length === 0 ? 'every request' : parts.join(' and ');
}
