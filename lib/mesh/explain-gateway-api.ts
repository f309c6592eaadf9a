/**
 * Where Gateway API HTTPRoutes and GRPCRoutes send a request: the routes attached to the Gateway
 * API Gateway the request comes through (ingress) or to the Service it is for (mesh routing,
 * GAMMA), and among their matches the one Istio puts first (it turns the routes of one Gateway and
 * host, of both kinds, into the rules of one VirtualService, in the spec's order of precedence).
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#grpcrouterule
 */
import { attachedListeners, hostnamesIntersect, parentGateway, routeAllowed } from './gateway-api-checks';
import { RequestDescription } from './http-match';
import { hostSpecificity } from '../model/hosts';
import { GrpcRouteMatchJson, GrpcRouteRuleJson, ListenerJson, NameValueMatchJson, RouteMatchJson } from './json';
import { ApiGatewayInfo, HttpRouteInfo, MeshIndex, RouteInfo, serviceHost } from './manifests';

/** A Gateway API GRPCRoute. */
export type GrpcRouteInfo = RouteInfo<GrpcRouteRuleJson>;

/** A match of an HTTPRoute rule that a request meets. */
export interface RouteRuleMatch {
  readonly kind: 'HTTPRoute';
  readonly route: HttpRouteInfo;
  /** The rule, 0-based. */
  readonly rule: number;
  /** The match (`{}` for a rule without matches, which takes every request). */
  readonly match: RouteMatchJson;
}

/** A match of a GRPCRoute rule that a request meets. */
export interface GrpcRuleMatch {
  readonly kind: 'GRPCRoute';
  readonly route: GrpcRouteInfo;
  /** The rule, 0-based. */
  readonly rule: number;
  /** The match; `undefined` for a rule without matches, which takes every request (and comes after every match). */
  readonly match: GrpcRouteMatchJson | undefined;
}

/** A match of an HTTPRoute or GRPCRoute rule. */
export type RuleMatch = RouteRuleMatch | GrpcRuleMatch;

/** The GRPCRoutes of the manifests. */
export function grpcRoutes(index: MeshIndex): GrpcRouteInfo[] {
  return index.otherRoutes.filter((r) => r.ref.kind === 'GRPCRoute');
}

/** The TLSRoutes of the manifests. */
export function tlsRoutes(index: MeshIndex): RouteInfo[] {
  return index.otherRoutes.filter((r) => r.ref.kind === 'TLSRoute');
}

/** Whether a request for `host` can use `pattern` (a route or listener hostname); host `*` is any. */
function hostMatches(pattern: string | undefined, host: string): boolean {
  return host === '*' || hostnamesIntersect(pattern, host);
}

/** The listeners of a Gateway (of `port`, when known) whose hostname takes `host`. */
export function listenersFor(gateway: ApiGatewayInfo, host: string, port: number | undefined): ListenerJson[] {
  return gateway.listeners.filter((l) => (port === undefined || l.port === port) && hostMatches(l.hostname, host));
}

/**
 * The routes among `routes` (HTTPRoutes unless told) a Gateway API Gateway applies to a request
 * for `host` on `port`: attached by a parentRef to a listener (of that port, when known) whose
 * hostname takes the host and that takes routes of the route's kind and namespace
 * (`allowedRoutes`: the Gateway's namespace by default), and whose own hostnames (none means any)
 * take the host.
 */
export function routesOfGateway<R extends RouteInfo = HttpRouteInfo>(index: MeshIndex, gateway: ApiGatewayInfo, host: string, port: number | undefined,
  routes: readonly R[] = index.httpRoutes as readonly RouteInfo[] as readonly R[]): R[] {
  return routes.filter((route) => listenersTaking(index, gateway, route, host, port).length > 0
    && (route.hostnames.length === 0 || route.hostnames.some((h) => hostMatches(h, host))));
}

/**
 * The listeners of `gateway` that take `route` for a request for `host` (on `port`, when known):
 * attached by one of its parentRefs, of a hostname that takes the host, and taking routes of the
 * route's kind and namespace.
 */
function listenersTaking(index: MeshIndex, gateway: ApiGatewayInfo, route: RouteInfo, host: string, port: number | undefined): ListenerJson[] {
  return route.parentRefs.filter((p) => parentGateway(index, route, p) === gateway)
    .flatMap((p) => attachedListeners(gateway, p))
    .filter((l) => (port === undefined || l.port === port) && hostMatches(l.hostname, host) && routeAllowed(l, gateway, route, index));
}

/**
 * The hostname under which a route attached to `gateway` serves a request for `host`: the most
 * specific of the names where its own hostnames (any, when it has none) meet the hostnames of the
 * listeners that take it (any, for a listener without one). Istio writes a route under each such
 * name, and the proxy picks the most specific name that takes the request.
 */
function servedHostname(index: MeshIndex, gateway: ApiGatewayInfo, route: RouteInfo, host: string, port: number | undefined): number {
  let best = -1;
  for (const l of listenersTaking(index, gateway, route, host, port)) {
    for (const h of route.hostnames.length > 0 ? route.hostnames : [undefined]) {
      if (h === undefined || hostMatches(h, host)) {
        // Where the two meet, the more specific name holds.
        best = Math.max(best, hostSpecificity(h), hostSpecificity(l.hostname));
      }
    }
  }
  return best;
}

/**
 * Of the routes a Gateway applies to a request for `host`, those written under the most specific
 * hostname that takes it: the proxy picks that virtual host and routes among its routes only, so
 * a route for `shop.example.com` takes every request for that name before one for
 * `*.example.com` is looked at, even when none of its rules matches. HTTPRoutes and GRPCRoutes of
 * a hostname share their virtual host. Every route stays for host `*` (any host).
 */
export function routesOfMostSpecificHostname<R extends RouteInfo>(index: MeshIndex, gateway: ApiGatewayInfo, host: string, port: number | undefined, routes: readonly R[]): R[] {
  if (host === '*') {
    return [...routes];
  }
  const served = routes.map((r) => servedHostname(index, gateway, r, host, port));
  const best = Math.max(-1, ...served);
  return routes.filter((_, i) => served[i] === best);
}

/** The routes among `routes` (HTTPRoutes unless told) attached to the Service `fqdn` (a parentRef of `group: ""`, `kind: Service`; of `port`, when both are known). */
export function routesOfService<R extends RouteInfo = HttpRouteInfo>(index: MeshIndex, fqdn: string, port: number | undefined,
  routes: readonly R[] = index.httpRoutes as readonly RouteInfo[] as readonly R[]): R[] {
  return routes.filter((route) => route.parentRefs.some((p) => p.group === '' && p.kind === 'Service'
    && serviceHost(p.name, p.namespace ?? route.ref.namespace) === fqdn
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

/** A path match of a VirtualService: exact, a plain prefix, or a regular expression of the whole path. */
export interface IstioPathMatch {
  readonly type: 'Exact' | 'Prefix' | 'Regex';
  readonly value: string;
}

/**
 * A match as Istio orders it once turned into a VirtualService match: the kind and text of its
 * path match (none for a gRPC match without a method), whether it tests the method, how many
 * headers and query parameters it tests; `undefined` for a GRPCRoute rule without matches.
 */
interface MatchKey {
  readonly uri?: IstioPathMatch;
  readonly method: boolean;
  readonly headers: number;
  readonly queryParams: number;
}

/**
 * The path a GRPCRoute method match becomes in Istio: with `Exact` (the default), service and
 * method the exact path `/service/method`, a service alone the prefix `/service/`, a method alone
 * the expression `/[^/]+/method`; with `RegularExpression`, the expression `/service/method`
 * (`.+` for a method left out, `[^/]+` for a service left out). `undefined` for no method match;
 * `null` for one that names neither service nor method (the API server refuses it).
 */
export function grpcPath(match: GrpcRouteMatchJson): IstioPathMatch | undefined | null {
  const m = match.method;
  if (m === undefined || m === null) {
    return undefined;
  }
  const { service, method } = m;
  if (service === undefined && method === undefined) {
    return null;
  }
  if ((m.type ?? 'Exact') === 'Exact') {
    return method === undefined ? { type: 'Prefix', value: `/${service}/` }
      : service === undefined ? { type: 'Regex', value: `/[^/]+/${method}` } : { type: 'Exact', value: `/${service}/${method}` };
  }
  return { type: 'Regex', value: `/${service ?? '[^/]+'}/${method ?? '.+'}` };
}

const HTTP_PATH_TYPES: Record<string, 'Exact' | 'Prefix' | 'Regex'> = { Exact: 'Exact', PathPrefix: 'Prefix', RegularExpression: 'Regex' };

function keyOf(c: RuleMatch): MatchKey | undefined {
  if (c.kind === 'HTTPRoute') {
    const type = HTTP_PATH_TYPES[c.match.path?.type ?? 'PathPrefix'];
    return {
      ...(type !== undefined ? { uri: { type, value: c.match.path?.value ?? '/' } } : {}),
      method: c.match.method !== undefined,
      headers: c.match.headers?.length ?? 0,
      queryParams: c.match.queryParams?.length ?? 0,
    };
  }
  if (c.match === undefined) {
    return undefined;
  }
  const uri = grpcPath(c.match);
  return { ...(uri ? { uri } : {}), method: false, headers: c.match.headers?.length ?? 0, queryParams: 0 };
}

/** Exact paths before prefixes, prefixes before regular expressions, and those before no path match (Istio's order; the spec leaves regular expressions to the implementation). */
const PATH_RANK: Record<string, number> = { Exact: 3, Prefix: 2, Regex: 1 };

/**
 * Istio's order of precedence between the matches of the HTTPRoutes and GRPCRoutes of one Gateway
 * (or Service) and host, which follows the spec: an exact path, then the longest path (a gRPC
 * method match taken as the path Istio makes of it, see `grpcPath`), then a method, then the most
 * headers, then the most query parameters; a GRPCRoute rule without matches after all the rest;
 * then the route (the oldest, which manifests cannot tell, so by namespace and name, as among
 * routes created together; an HTTPRoute before a GRPCRoute of the same name, where Istio does not
 * say), then the rule and match order.
 */
export function compareRuleMatches(a: RuleMatch, b: RuleMatch): number {
  const ka = keyOf(a);
  const kb = keyOf(b);
  const byKey = ka === undefined || kb === undefined ? Number(ka === undefined) - Number(kb === undefined)
    : (PATH_RANK[kb.uri?.type ?? ''] ?? 0) - (PATH_RANK[ka.uri?.type ?? ''] ?? 0)
      || (kb.uri?.value.length ?? 0) - (ka.uri?.value.length ?? 0)
      || Number(kb.method) - Number(ka.method)
      || kb.headers - ka.headers
      || kb.queryParams - ka.queryParams;
  const name = (r: RouteInfo) => `${r.ref.namespace}/${r.ref.name}`;
  return byKey
    || (name(a.route) < name(b.route) ? -1 : name(a.route) > name(b.route) ? 1 : 0)
    || Number(a.kind === 'GRPCRoute') - Number(b.kind === 'GRPCRoute')
    || a.rule - b.rule;
}

/**
 * Whether a request meets a GRPCRoute match: its path against the path Istio makes of the method
 * match (see `grpcPath`; a prefix is a plain prefix, an expression must match the whole path), and
 * every header (names in any case); a rule without matches (`undefined`) takes every request.
 */
export function grpcMatchAdmits(match: GrpcRouteMatchJson | undefined, request: RequestDescription): boolean {
  if (match === undefined) {
    return true;
  }
  const uri = grpcPath(match);
  const path = request.path.split('?', 1)[0];
  if (uri === null || (uri !== undefined && !(uri.type === 'Exact' ? path === uri.value : uri.type === 'Prefix' ? path.startsWith(uri.value) : fullMatch(uri.value, path)))) {
    return false;
  }
  return (Array.isArray(match.headers) ? match.headers : []).every((h) => valueMatches(h, request.headers[String(h?.name).toLowerCase()]));
}

/** The match that takes the request among every match of `routes` and `grpc` (GRPCRoutes), if any. */
export function pickRouteMatch(routes: readonly HttpRouteInfo[], request: RequestDescription, grpc: readonly GrpcRouteInfo[] = []): RuleMatch | undefined {
  const candidates: RuleMatch[] = [];
  for (const route of routes) {
    route.rules.forEach((rule, i) => {
      const matches = Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches : [{}];
      for (const match of matches) {
        if (match !== null && typeof match === 'object' && routeMatchAdmits(match, request)) {
          candidates.push({ kind: 'HTTPRoute', route, rule: i, match });
        }
      }
    });
  }
  for (const route of grpc) {
    route.rules.forEach((rule, i) => {
      const matches = Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches : [undefined];
      for (const match of matches) {
        if ((match === undefined || (match !== null && typeof match === 'object')) && grpcMatchAdmits(match, request)) {
          candidates.push({ kind: 'GRPCRoute', route, rule: i, match });
        }
      }
    });
  }
  // A stable sort keeps the matches of one rule in their order.
  return candidates.sort(compareRuleMatches)[0];
}

/** `method com.example.User/Login and header env exactly "canary"`; `every request` for none. */
export function describeGrpcMatch(match: GrpcRouteMatchJson | undefined): string {
  const parts: string[] = [];
  const m = match?.method;
  if (m !== undefined && m !== null) {
    if ((m.type ?? 'Exact') === 'Exact') {
      parts.push(m.method === undefined ? `any method of service ${m.service}` : m.service === undefined ? `method ${m.method} of any service` : `method ${m.service}/${m.method}`);
    } else {
      parts.push([m.service !== undefined ? `service matching /${m.service}/` : '', m.method !== undefined ? `method matching /${m.method}/` : ''].filter((p) => p !== '').join(' and '));
    }
  }
  for (const h of match?.headers ?? []) {
    parts.push(`header ${h.name} ${h.type === 'RegularExpression' ? `matching /${h.value}/` : `exactly "${h.value}"`}`);
  }
  return parts.length === 0 ? 'every request' : parts.join(' and ');
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
