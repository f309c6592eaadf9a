import { hostServes, hostSpecificity, hostsOverlap } from '../model/hosts';
import { describeMatch, HttpMatchJson } from '../model/match-json';
import { describeGrpcMatch, describeRouteMatch, GrpcRouteInfo, grpcRoutes, listenersFor, pickRouteMatch, routesOfGateway, routesOfMostSpecificHostname, routesOfService, tlsRoutes } from './explain-gateway-api';
import { delegateProblemText, mergedHttpRules } from './delegates';
import { conversionProblems } from './gateway-api-checks';
import { requestMatches, RequestDescription, routeShares } from './http-match';
import { completedHosts, GatewayRoute, gatewayVirtualHosts, routesForGateway, virtualHostFor } from './gateway-hosts';
import { ALL_NAMESPACES, ApiGatewayInfo, DEFAULT_NAMESPACE, destinationsOf, GATEWAY_API_GROUP, GatewayApiInfo, GatewayInfo, HttpRouteInfo, isHttpOrSniffed, Manifest, MeshIndex, ObjectRef, RouteInfo, serviceHost, ServiceInfo, servicePortProtocol, VirtualServiceInfo } from './manifests';
import { MESH_GATEWAY } from '../model/names';
import { describeIstioRewrite, describeUrlRewrite, ExplainedRedirect, filtersOf, gatewayApiRedirect, isObject, istioRedirect, mirrorPercent, Scheme, schemeOf } from './rule-answers';

export type { ExplainedRedirect } from './rule-answers';

/** The request to explain; what is left out takes the default. */
export interface ExplainOptions {
  /**
   * Gateway the request comes through: `name`, `namespace/name` (an Istio Gateway, or else a
   * Gateway API Gateway), or `mesh`.
   * @default - the only Istio Gateway of the manifests, or when there is none, the only Gateway API Gateway
   */
  readonly gateway?: string;
  /**
   * Host the client asks for (the Host header): matched as the proxy does, ignoring case and a
   * port (`reviews:9080`), which is then the request's port unless `port` is given.
   * @default - any host, when one VirtualService is bound to the gateway
   */
  readonly host?: string;
  /**
   * Path, with an optional query string.
   * @default "/"
   */
  readonly path?: string;
  /**
   * Request headers (names are lower-cased).
   * @default - none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * HTTP method.
   * @default "GET"
   */
  readonly method?: string;
  /**
   * Port the request comes to, for rules that match on `port`.
   * @default - the port of `host`, if it has one; else the port when the Gateway's servers (or, in the mesh, the Service) have only one; otherwise unknown, and rules that match on a port are taken as not matching
   */
  readonly port?: number;
  /**
   * Namespace of the pod that sends the request, in the mesh: only the VirtualServices exported
   * to it apply (`exportTo`), the first of them those of its own namespace, and a short host
   * (`reviews`) is the Service of this namespace.
   * @default "default"
   */
  readonly fromNamespace?: string;
}

/** Pods behind a destination. */
export interface ExplainedWorkload {
  readonly ref: ObjectRef;
  /** Pods it runs; `undefined` for a DaemonSet. */
  readonly replicas: number | undefined;
}

/** One destination of the matched rule. */
export interface ExplainedDestination {
  /** The share of matching requests, in percent. */
  readonly percent: number;
  /** The destination host, fully qualified. */
  readonly host: string;
  /** The subset, if the route names one. */
  readonly subset?: string;
  /** Workloads whose pods receive the requests. */
  readonly workloads: ExplainedWorkload[];
  /**
   * What the destination names that does not exist: `host` (no Service or ServiceEntry) or
   * `subset` (no DestinationRule of the host defines it); requests sent there fail with 503 (500
   * for an HTTPRoute's or GRPCRoute's backend).
   * @default - nothing is missing
   */
  readonly missing?: 'host' | 'subset';
}

/** Where a request goes. */
export interface Explanation {
  readonly request: RequestDescription;
  /**
   * The VirtualService whose rule matches, if any; when no rule matches, the VirtualService (through
   * an Istio Gateway, the first of those of the virtual host) whose rules were tried.
   */
  readonly virtualService?: ObjectRef;
  /**
   * The Gateway API HTTPRoute that routes it, when it comes through a Gateway API Gateway, or in
   * the mesh to a Service an HTTPRoute is attached to, where Istio applies it before any
   * VirtualService of the Service (see `ExplainOptions.fromNamespace`); when none of
   * the HTTPRoutes that apply matches (no `rule`: the request is answered 404), the first of them.
   * @default - none
   */
  readonly httpRoute?: ObjectRef;
  /**
   * The Gateway API GRPCRoute that routes it, where GRPCRoutes apply as HTTPRoutes do (Istio
   * orders the matches of both kinds together; a gRPC call is a request for the path
   * `/package.Service/Method`); when no match of either kind takes the request, the first
   * GRPCRoute that applies, if any.
   * @default - none
   */
  readonly grpcRoute?: ObjectRef;
  /**
   * The TLSRoutes that take the host (as an SNI name) through the Gateway API Gateway, or in the
   * mesh for the Service, which explain does not follow: they carry TLS connections, not HTTP
   * requests. `tlsOnly` when every listener of the Gateway (of the port, when known) that takes
   * the host is a TLS listener: the host gets no HTTP requests there, and no answer is given.
   * @default - no TLSRoute takes the host
   */
  readonly tls?: { readonly routes: ObjectRef[]; readonly tlsOnly: boolean };
  /**
   * Set when the request's port is a Service port that Istio takes for another protocol than HTTP
   * (TCP, TLS, ...: from its `appProtocol` or its name's prefix): Istio proxies connections there,
   * and no http rule (nor HTTPRoute) applies, so there is no `rule`; the notes say what routes them.
   * @default - the port is an HTTP port, or one whose protocol Istio sniffs
   */
  readonly nonHttp?: { readonly port: number; readonly protocol: string };
  /**
   * The matching rule, numbered from 1 as in the text (`http rule 1`, `rule 1` of an HTTPRoute or
   * GRPCRoute), and why it matches; for a rule that delegates, the root's rule, and its matches
   * merged with the delegate's rule's.
   */
  readonly rule?: { readonly number: number; readonly name?: string; readonly matchedBy: string };
  /**
   * When the matching rule of `virtualService` delegates: the delegate VirtualService, and its
   * http rule (numbered from 1) that takes the request, merged with the root's rule as istiod
   * merges them (the root's matches, and its settings where the delegate's rule has none).
   * @default - the rule does not delegate
   */
  readonly delegate?: { readonly virtualService: ObjectRef; readonly rule: { readonly number: number; readonly name?: string } };
  readonly destinations: ExplainedDestination[];
  /**
   * Mirrored copies (they do not count in the shares): a VirtualService rule's `mirror` and
   * `mirrors`, an HTTPRoute or GRPCRoute rule's `RequestMirror` filters (a Service's FQDN; `percent`, or
   * `fraction` as a percent, or 100).
   */
  readonly mirrors: Array<{ readonly percent: number; readonly host: string; readonly subset?: string }>;
  /**
   * The redirect the matched rule answers with instead of sending the request on: a
   * VirtualService rule's `redirect`, an HTTPRoute rule's `RequestRedirect` filter. Its routes or
   * backendRefs, and its mirrors, then get nothing. Also the 301 to `https://` that an Istio
   * Gateway's server with `tls.httpsRedirect` answers every plain-HTTP request for its hosts with,
   * before any rule (then no `rule` and no `virtualService`).
   * @default - the rule does not redirect
   */
  readonly redirect?: ExplainedRedirect;
  /**
   * The status the matched rule answers with itself: a VirtualService rule's `directResponse`, or
   * 500 for an HTTPRoute rule with neither backendRefs nor a redirect, or a GRPCRoute rule without
   * backendRefs (or only of weight 0), as Istio answers them.
   * @default - the rule does not answer by itself
   */
  readonly directResponse?: { readonly status: number };
  /**
   * Observations: headers no rule tests, rules that cannot be judged, no route at all; what the
   * matched rule does other than route (its redirect, direct response or rewrite).
   */
  readonly notes: string[];
  /**
   * What explain does not model and that may change the answer: through an Istio Gateway, Gateway
   * API Gateways and routes (`gateway.networking.k8s.io`) that touch the host asked about; in the
   * mesh, the VirtualService or routes of the Service that do not apply to the caller and why, and
   * where the order they were created in (which manifests do not tell) decides; TLSRoutes that take
   * the host where Gateway API routes apply.
   */
  readonly warnings: string[];
}

/** A request that cannot be explained as asked (an unknown gateway, an ambiguous host). */
export class ExplainError extends Error {}

/**
 * Explains which VirtualService rule a request matches and where it goes; or which HTTPRoute or
 * GRPCRoute rule, through a Gateway API Gateway, or in the mesh where Istio applies the routes
 * attached to the Service.
 */
export function explain(manifests: readonly Manifest[], options: ExplainOptions = {}): Explanation {
  return explainIndexed(new MeshIndex(manifests), options);
}

/** `explain` over manifests already indexed. */
export function explainIndexed(index: MeshIndex, options: ExplainOptions = {}): Explanation {
  const gateway = resolveGateway(index, options.gateway);
  const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const routed = withRoutingHost(index, options, gateway === MESH_GATEWAY);
  const apiGateway = gateway === MESH_GATEWAY || index.gateways.has(gateway) ? undefined : index.apiGateways.get(gateway);
  if (apiGateway !== undefined) {
    return explainApiGateway(index, apiGateway, routed, headers);
  }
  // A VirtualService without hosts is a delegate: Istio binds it to no gateway, it only lends its rules to the rule that delegates to it.
  const bound = index.virtualServices.filter((vs) => vs.hosts.length > 0 && vs.gateways.includes(gateway));
  if (gateway !== MESH_GATEWAY) {
    return explainIstioGateway(index, index.gateways.get(gateway)!, bound, routed, headers);
  }
  const from = routed.fromNamespace ?? DEFAULT_NAMESPACE;
  const vs = pickVirtualService(index, visibleFrom(bound, from), gateway, routed.host, from);
  const host = routed.host ?? vs?.hosts.find((h) => !h.includes('*')) ?? '*';
  const port = routed.port ?? defaultPort(index, gateway, host, from);
  const request: RequestDescription = { ...describeRequest(routed, gateway, host, port, headers, 'http'), fromNamespace: from };
  const notes: string[] = [];
  const fqdn = index.requestHost(host, from);
  const tcp = nonHttpPort(index, fqdn, port);
  if (tcp !== undefined) {
    return explainTcpPort(index, request, vs, tcp);
  }
  const dropped = droppedWarnings(index, [...routesOfService(index, fqdn, port), ...routesOfService(index, fqdn, port, grpcRoutes(index))]);
  const mesh = meshRouteGroups(index, fqdn, port, from);
  const tls = routesOfService(index, fqdn, port, tlsRoutes(index));
  const precedence = meshPrecedence(index, vs, fqdn, mesh.groups, from);
  const gammaWarnings = [...precedence.warnings, ...mesh.excluded.map((r) => `${r.ref.kind} ${r.ref.namespace}/${r.ref.name} is attached to Service ${fqdn} but does not apply to a caller in namespace ${from}: Istio applies a mesh route only to callers of the route's namespace or of the Service's`)];
  if (precedence.group !== undefined || (vs === undefined && tls.length > 0)) {
    const routes: AppliedRoutes = { http: precedence.group?.http ?? [], grpc: precedence.group?.grpc ?? [], tls, tlsOnly: false };
    const explanation = explainRoutes(index, request, routes);
    return { ...explanation, warnings: [...explanation.warnings, ...gammaWarnings, ...dropped] };
  }
  const warnings = [...gammaWarnings, ...dropped];
  if (vs === undefined) {
    notes.push(host !== '*' && !index.services.has(fqdn) && index.serviceEntriesFor(fqdn).length === 0
      ? `no VirtualService bound to ${gateway} and visible in namespace ${from} serves host ${request.host}, and no Service or ServiceEntry is ${fqdn}${host.includes('.') ? '' : ` (a short host is a Service of the caller's namespace, ${from})`}`
      : `no VirtualService bound to ${gateway} serves host ${request.host}${from !== DEFAULT_NAMESPACE ? ` from namespace ${from}` : ''}: the request goes to the Service directly, without Istio routing`);
    return { request, destinations: [], mirrors: [], notes, warnings };
  }
  if (vs.http.length === 0 && vs.tcp.length + vs.tls.length > 0) {
    notes.push(`${refText(vs.ref)} has only TCP or TLS rules, which explain does not follow (it explains HTTP requests)`);
    return { request, virtualService: vs.ref, destinations: [], mirrors: [], notes, warnings };
  }
  // In the mesh, one VirtualService routes a host (verify reports others for the same host): its rules in order, delegates merged in.
  const routes = mergedHttpRules(index.virtualServices, vs).rules.flatMap(({ rule: i, json: rule, delegate }): GatewayRoute[] => (Array.isArray(rule?.match) && rule.match.length > 0 ? rule.match : [undefined])
    .map((match) => ({ vs, rule: i, match, ...(delegate !== undefined ? { delegate: { ...delegate, merged: rule } } : {}) })));
  return answerRequest(index, request, [vs], routes, notes, warnings);
}

/**
 * A request through an Istio Gateway, as the gateway proxy routes it: among the routes of the
 * virtual host its Host picks, made from every VirtualService bound to the Gateway whose hosts
 * meet the servers' hosts (see `gatewayVirtualHosts`).
 */
function explainIstioGateway(index: MeshIndex, gw: GatewayInfo, bound: VirtualServiceInfo[], options: RoutedOptions, headers: Record<string, string>): Explanation {
  const gateway = `${gw.ref.namespace}/${gw.ref.name}`;
  if (options.host === undefined && bound.length > 1) {
    throw new ExplainError(`${bound.length} VirtualServices are bound to ${gateway} (${bound.map((v) => `${v.ref.namespace}/${v.ref.name}`).join(', ')}): pass --host`);
  }
  const host = options.host ?? (bound.length === 1 ? completedHosts(bound[0]).find((h) => !h.includes('*')) : undefined) ?? '*';
  const port = options.port ?? defaultPort(index, gateway, host, DEFAULT_NAMESPACE);
  const request = describeRequest(options, gateway, host, port, headers, istioScheme(index, gateway, port));
  const notes: string[] = [];
  const vhost = virtualHostFor(gatewayVirtualHosts(gw, bound, port, index.virtualServices), host);
  const warnings = gatewayApiWarnings(index, gateway, vhost?.virtualServices[0] ?? bound[0], host);
  if (vhost?.httpsRedirect === true) {
    // A server with tls.httpsRedirect makes its virtual hosts require TLS (pilot's buildGatewayHTTPRouteConfig sets
    // RequireTls ALL): Envoy answers every request that does not come over TLS with a 301 to https, before any route.
    if (port === undefined) {
      notes.push(`a server of Gateway ${gateway} on port ${vhost.redirectPorts.join(', ')} sets tls.httpsRedirect for host ${host}: a plain-HTTP request there is answered with a 301 redirect to https (give the port the request comes to)`);
    } else if (istioScheme(index, gateway, port) !== 'https') {
      const redirect = { status: 301, location: `https://${host === '*' ? '<host>' : host}${request.path}` };
      notes.push(`the server of Gateway ${gateway} on port ${port} sets tls.httpsRedirect for host ${vhost.domain}: every plain-HTTP request is answered with a ${redirect.status} redirect to ${redirect.location}, before any route`);
      return { request, destinations: [], mirrors: [], redirect, notes, warnings };
    }
  }
  if (vhost === undefined || vhost.routes.length === 0) {
    notes.push(...noVirtualHostNotes(gw, bound, request, vhost === undefined, index.virtualServices));
    const tcpOnly = bound.find((vs) => vs.http.length === 0 && vs.tcp.length + vs.tls.length > 0 && completedHosts(vs).some((h) => hostsOverlap(h, host)));
    if (tcpOnly !== undefined && vhost === undefined) {
      return { request, virtualService: tcpOnly.ref, destinations: [], mirrors: [], notes: [`${refText(tcpOnly.ref)} has only TCP or TLS rules, which explain does not follow (it explains HTTP requests)`], warnings };
    }
    return { request, destinations: [], mirrors: [], notes, warnings };
  }
  return answerRequest(index, request, vhost.virtualServices, vhost.routes, notes, warnings);
}

/** The options with the host as the proxy matches it (see `routingHost`), and its port as the request's when none is given. */
function withRoutingHost(index: MeshIndex, options: ExplainOptions, mesh: boolean): RoutedOptions {
  if (options.host === undefined) {
    return options;
  }
  const { host, port } = routingHost(index, options.host, mesh);
  return {
    ...options,
    host,
    ...(options.port === undefined && port !== undefined ? { port } : {}),
    ...(host !== options.host ? { authority: options.host } : {}),
  };
}

/** The options once the host is the one the proxy routes by; `authority` is the Host as the client wrote it, when that differs. */
type RoutedOptions = ExplainOptions & { readonly authority?: string };

/**
 * The host a proxy matches a request's Host against its virtual hosts with, and the port the Host
 * names: Envoy compares domains ignoring case, and pilot sets `ignore_port_in_host_matching` on
 * the route configurations of sidecars and gateways, so `Reviews:9080` is `reviews`. In the mesh,
 * pilot also gives each Service (or ServiceEntry) host a domain with a trailing dot
 * (`GenerateAltVirtualHosts`), so `reviews.default.svc.cluster.local.` is that host; a shorter name
 * gets no such domain, nor does a gateway's virtual host.
 */
export function routingHost(index: MeshIndex, written: string, mesh: boolean): { host: string; port?: number } {
  let host = written.toLowerCase();
  let port: number | undefined;
  const colon = /:(\d+)$/.exec(host);
  if (colon !== null && (!host.includes(']') || host.lastIndexOf(']') < colon.index)) {
    port = Number(colon[1]);
    host = host.slice(0, colon.index);
  }
  if (mesh && host.endsWith('.') && host.length > 1) {
    const absolute = host.slice(0, -1);
    if (index.services.has(absolute) || index.serviceEntriesFor(absolute).length > 0) {
      host = absolute;
    }
  }
  return { host, ...(port !== undefined ? { port } : {}) };
}

/** The port of a Service that Istio does not route with HTTP rules, and the protocol it takes the port for. */
interface NonHttpPort {
  readonly service: ServiceInfo;
  readonly port: number;
  readonly name: string | undefined;
  readonly protocol: string;
}

/**
 * The port `port` of the Service `fqdn` when Istio takes it for a protocol other than HTTP (pilot
 * builds HTTP routes only for ports `IsHTTPOrSniffed`): a TCP port gets TCP proxying, where the
 * http rules of a VirtualService do not apply.
 */
function nonHttpPort(index: MeshIndex, fqdn: string, port: number | undefined): NonHttpPort | undefined {
  const service = index.services.get(fqdn);
  const servicePort = port === undefined ? undefined : service?.ports.find((p) => p.port === port);
  if (service === undefined || servicePort === undefined) {
    return undefined;
  }
  const protocol = servicePortProtocol(servicePort);
  return isHttpOrSniffed(protocol) ? undefined : { service, port: servicePort.port, name: servicePort.name, protocol };
}

/** A request to a Service port that Istio takes as TCP (or another protocol than HTTP): no http rule applies. */
function explainTcpPort(index: MeshIndex, request: RequestDescription, vs: VirtualServiceInfo | undefined, tcp: NonHttpPort): Explanation {
  const how = tcp.service.ports.find((p) => p.port === tcp.port)?.appProtocol !== undefined ? 'has appProtocol' : 'is named';
  const written = tcp.service.ports.find((p) => p.port === tcp.port)?.appProtocol ?? tcp.name ?? '(no name)';
  const notes = [`port ${tcp.port} of Service ${tcp.service.ref.namespace}/${tcp.service.ref.name} ${how} "${written}", so Istio takes it as ${tcp.protocol}, not HTTP: it proxies connections there and no http rule applies`];
  if (vs !== undefined && vs.tcp.length + vs.tls.length > 0) {
    notes.push(`the tcp or tls rules of ${refText(vs.ref)} route these connections, which explain does not follow (it explains HTTP requests)`);
  } else {
    const workloads = index.workloadsBehind(tcp.service.host, undefined);
    notes.push(`${vs !== undefined ? `${refText(vs.ref)} has no tcp rule, so ` : ''}connections are balanced over every pod of the Service (${workloads.map((w) => `${w.ref.kind} ${w.ref.namespace}/${w.ref.name} (${pods(w.replicas)})`).join(', ') || 'no pods'})`);
  }
  return { request, ...(vs !== undefined ? { virtualService: vs.ref } : {}), nonHttp: { port: tcp.port, protocol: tcp.protocol }, destinations: [], mirrors: [], notes, warnings: [] };
}

/** Why no route of an Istio Gateway takes the request: no VirtualService takes the host, or the servers do not. */
function noVirtualHostNotes(gw: GatewayInfo, bound: readonly VirtualServiceInfo[], request: RequestDescription, noVirtualHost: boolean, all: readonly VirtualServiceInfo[]): string[] {
  const where = `${gw.ref.namespace}/${gw.ref.name}`;
  const takers = bound.filter((vs) => completedHosts(vs).some((h) => (request.host === '*' ? hostsOverlap(h, request.host) : hostServes(h, request.host.toLowerCase()))));
  if (!noVirtualHost || takers.length === 0) {
    return [`no VirtualService bound to ${where} serves host ${request.host}: the gateway answers 404`];
  }
  const onPort = request.port !== undefined ? ` on port ${request.port}` : '';
  const servers = gw.servers.filter((s) => request.port === undefined || Number(s.port?.number) === request.port);
  return takers.flatMap((vs) => {
    const gives = routesForGateway(vs, where, request.port, all).length > 0;
    return gives
      ? `${refText(vs.ref)} takes host ${request.host}, but no server of Gateway ${where}${onPort} takes it for namespace ${vs.ref.namespace} (${servers.flatMap((s) => s.hosts).join(', ') || 'no hosts'}): the gateway answers 404`
      : [...droppedRuleNotes(all, vs), `${refText(vs.ref)} takes host ${request.host}, but none of its rules applies${onPort}: the gateway answers 404`];
  });
}

/** What istiod leaves out of the http rules of `vs` because of delegates (see `mergedHttpRules`), in words. */
function droppedRuleNotes(all: readonly VirtualServiceInfo[], vs: VirtualServiceInfo): string[] {
  return mergedHttpRules(all, vs).dropped.map((d) => (d.conflicting === undefined
    ? `http rule ${d.rule + 1} of ${refText(vs.ref)} delegates to VirtualService ${d.lookup.namespace}/${d.lookup.name}, ${delegateProblemText(d.lookup, vs.ref.namespace)}: Istio leaves the rule out`
    : `http rule ${d.conflicting + 1} of delegate VirtualService ${d.lookup.namespace}/${d.lookup.name} has a match that conflicts with every match of http rule ${d.rule + 1} of ${refText(vs.ref)}: Istio leaves it out of the merged rules`));
}

/** `VirtualService ns/name`, or `VirtualServices ns/a, ns/b`. */
function virtualServicesText(list: readonly VirtualServiceInfo[]): string {
  return list.length === 1 ? refText(list[0].ref) : `VirtualServices ${list.map((v) => `${v.ref.namespace}/${v.ref.name}`).join(', ')}`;
}

/**
 * The first of `routes` (matches of the HTTP rules of `virtualServices`, in the order the proxy
 * tries them) that takes the request, and what its rule does with it.
 */
function answerRequest(
  index: MeshIndex, request: RequestDescription, virtualServices: readonly VirtualServiceInfo[], routes: readonly GatewayRoute[], notes: string[], warnings: string[],
): Explanation {
  const several = virtualServices.length > 1;
  const label = (r: GatewayRoute) => `http rule ${r.rule + 1}${several || r.delegate !== undefined ? ` of ${refText(r.vs.ref)}` : ''}${r.delegate !== undefined ? ` (delegated: http rule ${r.delegate.rule + 1} of ${refText(r.delegate.vs.ref)})` : ''}`;
  // Rules istiod leaves out because of their delegate, said before the rules it tries.
  notes.push(...virtualServices.flatMap((vs) => droppedRuleNotes(index.virtualServices, vs)));
  let matched: GatewayRoute | undefined;
  for (const r of routes) {
    const result = requestMatches(r.match ?? {}, request, r.vs.ref.namespace);
    if (result === true) {
      matched = r;
      break;
    }
    if (result === undefined) {
      const portHint = r.match?.port !== undefined && request.port === undefined ? ' (give the port the request comes to)' : '';
      notes.push(`${label(r)} tests ${describeMatch(r.match)}, which a request description cannot carry${portHint}; it is taken as not matching`);
    }
  }
  const tested = new Set([...virtualServices, ...routes.flatMap((r) => (r.delegate !== undefined ? [r.delegate.vs] : []))].flatMap((vs) => vs.http.flatMap((rule) => (Array.isArray(rule?.match) ? rule.match : [])
    .flatMap((m: HttpMatchJson | undefined) => [...Object.keys(m?.headers ?? {}), ...Object.keys(m?.withoutHeaders ?? {})].map((h) => h.toLowerCase())))));
  for (const [name, value] of Object.entries(request.headers)) {
    if (!tested.has(name)) {
      notes.push(`no rule of ${virtualServicesText(virtualServices)} tests header ${name}, so its value "${value}" does not change where the request goes`);
    }
  }
  if (matched === undefined) {
    notes.push(`no rule of ${virtualServicesText(virtualServices)} matches: the request is answered 404`);
    return { request, virtualService: virtualServices[0].ref, destinations: [], mirrors: [], notes, warnings };
  }
  const vs = matched.vs;
  const leaf = matched.delegate;
  // A delegated rule: the delegate's rule merged with the root's (its hosts already completed), standing alone.
  const rule = leaf?.merged ?? vs.http[matched.rule];
  const ruleOwner: VirtualServiceInfo = leaf !== undefined ? { ...leaf.vs, http: [leaf.merged] } : vs;
  // A merged rule stands apart from the index: read it without keeping it in the index's cache.
  const ofRule = (leaf !== undefined ? destinationsOf(ruleOwner) : index.destinationsOf(vs)).filter((d) => d.kind === 'http' && d.rule === (leaf !== undefined ? 0 : matched.rule));
  const sent = ofRule.filter((d) => !d.mirror);
  const rootName = vs.http[matched.rule]?.name;
  const matchedRule = { number: matched.rule + 1, ...(typeof rootName === 'string' ? { name: rootName } : {}), matchedBy: describeMatch(matched.match) };
  const leafName = leaf?.vs.http[leaf.rule]?.name;
  const delegate = leaf !== undefined ? { delegate: { virtualService: leaf.vs.ref, rule: { number: leaf.rule + 1, ...(typeof leafName === 'string' ? { name: leafName } : {}) } } } : {};
  const ruleText = `http rule ${matched.rule + 1} of ${refText(vs.ref)}${leaf !== undefined ? ` (delegated to http rule ${leaf.rule + 1} of ${refText(leaf.vs.ref)})` : ''}`;
  if (leaf !== undefined) {
    notes.push(`http rule ${matched.rule + 1} of ${refText(vs.ref)} delegates to ${refText(leaf.vs.ref)}; its http rule ${leaf.rule + 1}, merged with the root rule's matches and settings, takes the request`);
  }
  // Istio answers a redirect first, then a direct response; only a rule that does neither routes and mirrors.
  const unused = sent.length > 0 ? '; its routes get no request (Istio\'s validation refuses routes beside it)' : '';
  if (isObject(rule?.redirect)) {
    const redirect = istioRedirect(rule.redirect, { ...request, scheme: istioScheme(index, request.gateway, request.port) });
    notes.push(`${ruleText} answers with a ${redirect.status} redirect to ${redirect.location}${unused}`);
    return { request, virtualService: vs.ref, rule: matchedRule, ...delegate, destinations: [], mirrors: [], redirect, notes, warnings };
  }
  if (isObject(rule?.directResponse)) {
    const status = Number(rule.directResponse.status);
    notes.push(`${ruleText} answers directly with status ${status}${unused}`);
    return { request, virtualService: vs.ref, rule: matchedRule, ...delegate, destinations: [], mirrors: [], directResponse: { status }, notes, warnings };
  }
  const shares = routeShares(sent);
  const destinations = sent.map((r, i): ExplainedDestination => {
    const destinationHost = index.resolveHost(String(r.destination.host ?? ''), ruleOwner.ref.namespace);
    const subset: string | undefined = r.destination.subset;
    const missing = missingPart(index, destinationHost, subset);
    return {
      percent: Math.round(shares[i] * 100) / 100,
      host: destinationHost,
      ...(subset !== undefined ? { subset } : {}),
      workloads: index.workloadsBehind(destinationHost, subset).map((w) => ({ ref: w.ref, replicas: w.replicas })),
      ...(missing !== undefined ? { missing } : {}),
    };
  });
  const mirrors = ofRule.filter((d) => d.mirror).map((m) => ({
    percent: m.percentage ?? 100,
    host: index.resolveHost(String(m.destination.host ?? ''), ruleOwner.ref.namespace),
    ...(m.destination.subset !== undefined ? { subset: m.destination.subset } : {}),
  }));
  if (sent.length === 0) {
    notes.push(`${ruleText} has no route, redirect or direct response`);
  }
  const rewrite = isObject(rule?.rewrite) ? describeIstioRewrite(rule.rewrite) : undefined;
  if (rewrite !== undefined && sent.length > 0) {
    notes.push(`${ruleText} rewrites the request before it reaches its destinations: ${rewrite}`);
  }
  return {
    request,
    virtualService: vs.ref,
    rule: matchedRule,
    ...delegate,
    destinations,
    mirrors,
    notes,
    warnings,
  };
}

/** The Gateway API routes that apply to a request: HTTPRoutes and GRPCRoutes, which explain follows, and TLSRoutes, which it names. */
interface AppliedRoutes {
  readonly http: readonly HttpRouteInfo[];
  readonly grpc: readonly GrpcRouteInfo[];
  readonly tls: readonly RouteInfo[];
  /** Whether every listener that takes the host (on the port, when known) is a TLS listener. */
  readonly tlsOnly: boolean;
}

/** A request through a Gateway API Gateway: its HTTPRoutes and GRPCRoutes, and the TLSRoutes that take the host. */
function explainApiGateway(index: MeshIndex, gateway: ApiGatewayInfo, options: RoutedOptions, headers: Record<string, string>): Explanation {
  const ports = [...new Set(gateway.listeners.map((l) => l.port))];
  const port = options.port ?? (ports.length === 1 ? ports[0] : undefined);
  const key = `${gateway.ref.namespace}/${gateway.ref.name}`;
  const applied = (host: string): AppliedRoutes => {
    const listeners = listenersFor(gateway, host, port);
    // HTTPRoutes and GRPCRoutes share the virtual host of the most specific hostname that takes the host.
    const routes = routesOfMostSpecificHostname<RouteInfo>(index, gateway, host, port, [
      ...routesOfGateway(index, gateway, host, port, converted(index, index.httpRoutes)),
      ...routesOfGateway(index, gateway, host, port, converted(index, grpcRoutes(index))),
    ]);
    return {
      http: routes.filter((r): r is HttpRouteInfo => r.ref.kind === 'HTTPRoute'),
      grpc: routes.filter((r): r is GrpcRouteInfo => r.ref.kind === 'GRPCRoute'),
      tls: routesOfGateway(index, gateway, host, port, tlsRoutes(index)),
      tlsOnly: listeners.length > 0 && listeners.every((l) => l.protocol === 'TLS'),
    };
  };
  let host = options.host;
  if (host === undefined) {
    const any = applied('*');
    const attached = [...any.http, ...any.grpc];
    if (attached.length > 1) {
      throw new ExplainError(`${attached.length} routes are attached to ${key} (${routeText(attached)}): pass --host`);
    }
    host = (attached[0] ?? (any.tls.length === 1 ? any.tls[0] : undefined))?.hostnames.find((h) => !h.includes('*')) ?? '*';
  }
  const request = describeRequest(options, key, host, port, headers, apiGatewayScheme(index, key, port));
  const explanation = explainRoutes(index, request, applied(host));
  const unread = [
    ...listenerSetWarnings(index, host),
    ...droppedWarnings(index, [...routesOfGateway(index, gateway, host, port), ...routesOfGateway(index, gateway, host, port, grpcRoutes(index))]),
  ];
  return unread.length === 0 ? explanation : { ...explanation, warnings: [...explanation.warnings, ...unread] };
}

/** The routes among `routes` that istiod can convert: it drops the others whole, so they take no request. */
function converted<R extends RouteInfo>(index: MeshIndex, routes: readonly R[]): R[] {
  return routes.filter((r) => conversionProblems(index, r).length === 0);
}

/** A warning for each route among `routes` that istiod drops, since it cannot convert it. */
function droppedWarnings(index: MeshIndex, routes: readonly RouteInfo[]): string[] {
  return routes.flatMap((r) => {
    const problems = conversionProblems(index, r);
    return problems.length === 0 ? [] : [`${r.ref.kind} ${r.ref.namespace}/${r.ref.name} is dropped by istiod, which cannot convert it (${problems.join('; ')}): explain leaves it out`];
  });
}

/**
 * Routes attached to a ListenerSet, which explain does not read: a ListenerSet adds listeners to a
 * Gateway, so such a route whose hostnames take `host` may take the request too.
 */
function listenerSetWarnings(index: MeshIndex, host: string): string[] {
  const warnings: string[] = [];
  for (const route of [...index.httpRoutes, ...index.otherRoutes]) {
    const sets = route.parentRefs.filter((p) => (p.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && p.kind === 'ListenerSet');
    const takes = route.hostnames.length === 0 || host === '*' || route.hostnames.some((h) => hostServes(h, host));
    if (sets.length > 0 && takes) {
      warnings.push(`${route.ref.kind} ${route.ref.namespace}/${route.ref.name} is attached to ${sets.map((p) => `ListenerSet ${p.namespace ?? route.ref.namespace}/${p.name}`).join(', ')}, which explain does not read: a ListenerSet adds listeners to a Gateway, so this route may take the request too`);
    }
  }
  return warnings;
}

function routeText(routes: readonly RouteInfo[]): string {
  if (routes.length === 0) {
    return 'no HTTPRoute';
  }
  const kinds = [...new Set(routes.map((r) => r.ref.kind))];
  return kinds.map((kind) => {
    const of = routes.filter((r) => r.ref.kind === kind);
    return `${kind}${of.length === 1 ? '' : 's'} ${of.map((r) => `${r.ref.namespace}/${r.ref.name}`).join(', ')}`;
  }).join(' and ');
}

/** Where the TLSRoutes that take the host send connections, for the warnings; explain does not follow them. */
function tlsWarnings(request: RequestDescription, routes: AppliedRoutes): string[] {
  const where = request.gateway === MESH_GATEWAY ? `to Service ${request.host}` : `through ${request.gateway}`;
  return routes.tls.map((r) => `TLSRoute ${r.ref.namespace}/${r.ref.name} takes TLS connections for host ${request.host} ${where} (by SNI name); explain follows HTTP requests, not TLS connections, so it does not say where those go`);
}

/**
 * Where the HTTPRoutes and GRPCRoutes that apply send the request: the backendRefs of the match
 * Istio puts first, by weight (1 by default).
 */
function explainRoutes(index: MeshIndex, request: RequestDescription, applied: AppliedRoutes): Explanation {
  const notes: string[] = [];
  const warnings = tlsWarnings(request, applied);
  const tls = applied.tls.length > 0 || applied.tlsOnly ? { tls: { routes: applied.tls.map((r) => r.ref), tlsOnly: applied.tlsOnly } } : {};
  const routes: readonly RouteInfo[] = [...applied.http, ...applied.grpc];
  const headerNames = (matches: unknown) => (Array.isArray(matches) ? matches : [])
    .flatMap((m) => (Array.isArray(m?.headers) ? m.headers : []).map((h: { name?: string } | undefined) => String(h?.name).toLowerCase()));
  const tested = new Set(routes.flatMap((r) => r.rules.flatMap((rule) => headerNames(rule.matches))));
  for (const [name, value] of Object.entries(request.headers)) {
    if (!tested.has(name) && routes.length > 0) {
      notes.push(`no rule of ${routeText(routes)} tests header ${name}, so its value "${value}" does not change where the request goes`);
    }
  }
  const where = request.gateway === MESH_GATEWAY ? `Service ${request.host}` : request.gateway;
  if (applied.tlsOnly) {
    notes.push(`the listeners of ${where} that take host ${request.host}${request.port !== undefined ? ` on port ${request.port}` : ''} are TLS listeners: they carry TLS connections, not HTTP requests, so no HTTP route applies${applied.tls.length === 0 ? ' (and no TLSRoute takes the host there)' : ''}`);
    return { request, destinations: [], mirrors: [], ...tls, notes, warnings };
  }
  const picked = pickRouteMatch(applied.http, request, applied.grpc);
  const firstOf = { ...(applied.http.length > 0 ? { httpRoute: applied.http[0].ref } : {}), ...(applied.grpc.length > 0 ? { grpcRoute: applied.grpc[0].ref } : {}) };
  if (picked === undefined) {
    if (routes.length === 0) {
      notes.push(applied.tls.length > 0
        ? `no HTTPRoute or GRPCRoute attached to ${where} takes host ${request.host}, only TLSRoutes (see the warnings): an HTTP request is not routed, a TLS connection is`
        : `no HTTPRoute or GRPCRoute attached to ${where} takes host ${request.host}: the request is answered 404`);
    } else {
      notes.push(`no rule of ${routeText(routes)} matches: the request is answered 404`);
      if (applied.grpc.length > 0 && !/^\/[^/?]+\/[^/?]+$/.test(request.path)) {
        notes.push(`${routeText(applied.grpc)} ${applied.grpc.length === 1 ? 'takes' : 'take'} gRPC calls for this host: describe a call by its path, /package.Service/Method`);
      }
    }
    return { request, ...firstOf, ...tls, destinations: [], mirrors: [], notes, warnings };
  }
  const { route } = picked;
  const rule = route.rules[picked.rule];
  const by = picked.kind === 'HTTPRoute' ? { httpRoute: route.ref } : { grpcRoute: route.ref };
  const backends = (Array.isArray(rule.backendRefs) ? rule.backendRefs : []).filter((b) => b !== null && typeof b === 'object');
  const matchedBy = picked.kind === 'HTTPRoute' ? describeRouteMatch(picked.match) : describeGrpcMatch(picked.match);
  const matchedRule = { number: picked.rule + 1, ...(typeof rule.name === 'string' ? { name: rule.name } : {}), matchedBy };
  const ruleText = `rule ${picked.rule + 1} of ${refText(route.ref)}`;
  const filters = filtersOf(rule);
  // Istio answers a redirect before it looks at the backends, and mirrors only what it sends on; a GRPCRoute has no redirect.
  const redirecting = picked.kind === 'HTTPRoute' ? filters.find((f) => f.type === 'RequestRedirect' && isObject(f.requestRedirect))?.requestRedirect : undefined;
  if (redirecting !== undefined && picked.kind === 'HTTPRoute') {
    const { problem, ...redirect } = gatewayApiRedirect(redirecting, picked.match, { ...request, scheme: apiGatewayScheme(index, request.gateway, request.port) });
    notes.push(`${ruleText} answers with a ${redirect.status} redirect to ${redirect.location}${backends.length > 0 ? '; its backendRefs get no request (the API server refuses backendRefs beside a RequestRedirect filter)' : ''}`);
    if (problem !== undefined) {
      notes.push(`${ruleText}: ${problem}`);
    }
    return { request, ...by, ...tls, rule: matchedRule, destinations: [], mirrors: [], redirect, notes, warnings };
  }
  const mirrors: Explanation['mirrors'] = [];
  for (const filter of filters.filter((f) => f.type === 'RequestMirror' && isObject(f.requestMirror?.backendRef))) {
    const mirror = filter.requestMirror!;
    const ref = mirror.backendRef!;
    if ((ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service') {
      mirrors.push({ percent: mirrorPercent(mirror), host: serviceHost(ref.name, ref.namespace ?? route.ref.namespace) });
    } else {
      notes.push(`${ruleText} also mirrors to ${ref.kind ?? 'Service'} ${ref.name} (group "${ref.group ?? ''}"), which is not a Service: explain leaves it out`);
    }
  }
  const rewriting = picked.kind === 'HTTPRoute' ? filters.find((f) => f.type === 'URLRewrite' && isObject(f.urlRewrite))?.urlRewrite : undefined;
  const rewrite = rewriting !== undefined && picked.kind === 'HTTPRoute' ? describeUrlRewrite(rewriting, picked.match, request.path) : undefined;
  if (rewrite !== undefined) {
    notes.push(`${ruleText} rewrites the request before it reaches its backends: ${rewrite}`);
  }
  const services = backends.filter((b) => (b.group ?? '') === '' && (b.kind ?? 'Service') === 'Service');
  if (services.length < backends.length) {
    notes.push(`${ruleText} also sends to backends that are not Services, which explain leaves out of the shares`);
  }
  const weights = services.map((b) => (typeof b.weight === 'number' ? b.weight : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const destinations = services.map((b, i): ExplainedDestination => {
    const host = serviceHost(b.name, b.namespace ?? route.ref.namespace);
    return {
      percent: total > 0 ? Math.round((weights[i] / total) * 10000) / 100 : 0,
      host,
      workloads: index.workloadsBehind(host, undefined).map((w) => ({ ref: w.ref, replicas: w.replicas })),
      ...(index.services.has(host) ? {} : { missing: 'host' as const }),
    };
  });
  // Istio answers a rule whose backends weigh nothing in all (or that has none) with 500, and mirrors nothing.
  if (backends.every((b) => b.weight === 0)) {
    notes.push(backends.length === 0
      ? `${ruleText} has no backendRefs and no RequestRedirect filter: the request is answered 500`
      : `${ruleText} gives every backend weight 0: no request reaches a backend, the request is answered 500`);
    return { request, ...by, ...tls, rule: matchedRule, destinations, mirrors: [], directResponse: { status: 500 }, notes, warnings };
  }
  return { request, ...by, ...tls, rule: matchedRule, destinations, mirrors, notes, warnings };
}

/** `{ scheme }` when it is known. */
/** The request explain follows: the options' path, method and authority (GET / by default), through `gateway`. */
function describeRequest(options: RoutedOptions, gateway: string, host: string, port: number | undefined, headers: Record<string, string>, scheme: Scheme | undefined): RequestDescription {
  return {
    gateway,
    host,
    path: options.path ?? '/',
    headers,
    method: options.method ?? 'GET',
    ...(port !== undefined ? { port } : {}),
    ...(options.authority !== undefined ? { authority: options.authority } : {}),
    ...(scheme !== undefined ? { scheme } : {}),
  };
}

/** The scheme of requests that come to an Istio Gateway's servers (of the port, when known), when they agree; `http` in the mesh. */
function istioScheme(index: MeshIndex, gateway: string, port: number | undefined): Scheme | undefined {
  if (gateway === MESH_GATEWAY) {
    return 'http';
  }
  const servers = (index.gateways.get(gateway)?.servers ?? []).filter((s) => port === undefined || s.port?.number === port);
  return schemeOf(servers.map((s) => s.port?.protocol));
}

/** The scheme of requests that come to a Gateway API Gateway's listeners (of the port, when known), when they agree; `http` in the mesh. */
function apiGatewayScheme(index: MeshIndex, gateway: string, port: number | undefined): Scheme | undefined {
  if (gateway === MESH_GATEWAY) {
    return 'http';
  }
  const listeners = (index.apiGateways.get(gateway)?.listeners ?? []).filter((l) => port === undefined || l.port === port);
  return schemeOf(listeners.map((l) => l.protocol));
}

/** What a destination names that does not exist, if anything. */
export function missingPart(index: MeshIndex, host: string, subset: string | undefined): 'host' | 'subset' | undefined {
  if (!index.services.has(host) && index.serviceEntriesFor(host).length === 0) {
    return 'host';
  }
  if (subset !== undefined && !(index.destinationRulesByHost.get(host) ?? []).some((dr) => dr.subsets.some((s) => s.name === subset))) {
    return 'subset';
  }
  return undefined;
}

/** The port a request comes to when only one is possible: the Gateway's single server port, or the Service's single port. */
function defaultPort(index: MeshIndex, gateway: string, host: string, from: string): number | undefined {
  const ports = gateway === MESH_GATEWAY
    ? index.services.get(index.requestHost(host, from))?.ports.map((p) => p.port) ?? []
    : (index.gateways.get(gateway)?.servers ?? []).map((s) => Number(s.port?.number));
  const distinct = [...new Set(ports)];
  return distinct.length === 1 ? distinct[0] : undefined;
}

/** Whether a Gateway API object touches `host`: by its hostnames, or by a Service it routes for or to. */
function touches(object: GatewayApiInfo, index: MeshIndex, host: string, namespace: string, mesh: boolean): boolean {
  const fqdn = index.requestHost(host, namespace);
  if (object.services.includes(fqdn)) {
    return true;
  }
  // A Gateway or route without hostnames takes every host; in the mesh only routes attached to Services apply.
  return !mesh && (object.hostnames.length === 0 || host === '*' || object.hostnames.some((h) => hostsOverlap(h, host)));
}

/** Warnings about the Gateway API objects that touch the host asked about, which explain does not model. */
export function gatewayApiWarnings(index: MeshIndex, gateway: string, vs: VirtualServiceInfo | undefined, host: string, from?: string): string[] {
  const namespace = from ?? vs?.ref.namespace ?? DEFAULT_NAMESPACE;
  // An object given twice (several variants of one route, say) is named once.
  return [...new Set(index.gatewayApi
    .filter((o) => touches(o, index, host, namespace, gateway === MESH_GATEWAY))
    .map((o) => `${o.ref.kind === 'Gateway' ? 'Gateway API Gateway' : o.ref.kind} ${o.ref.namespace}/${o.ref.name} (gateway.networking.k8s.io) also ${o.ref.kind === 'Gateway' ? 'takes' : 'routes'} requests for host ${host}; explain does not model the Gateway API, so where the request goes may differ from what is shown here`))];
}

function refText(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

function resolveGateway(index: MeshIndex, given: string | undefined): string {
  if (given === MESH_GATEWAY) {
    return MESH_GATEWAY;
  }
  const all = [...index.gateways.keys()];
  const api = [...index.apiGateways.keys()];
  if (given === undefined) {
    if (all.length === 1) {
      return all[0];
    }
    if (all.length === 0 && api.length === 1) {
      return api[0];
    }
    throw new ExplainError(all.length === 0
      ? `the manifests define no Istio Gateway (networking.istio.io)${api.length > 0 ? ` and ${api.length} Gateway API Gateways (${api.join(', ')})` : ''}: pass --gateway ${api.length > 0 ? 'NAME or --gateway ' : ''}mesh`
      : `the manifests define ${all.length} Gateways (${all.join(', ')}): pass --gateway NAME or --gateway mesh`);
  }
  const named = (keys: string[]) => (given.includes('/') ? keys.filter((k) => k === given) : keys.filter((k) => k.endsWith(`/${given}`)));
  // An Istio Gateway first, as `kubectl get gateway` (Istio's short name) does; then a Gateway API Gateway.
  const found = named(all).length > 0 ? named(all) : named(api);
  if (found.length === 1) {
    return found[0];
  }
  const defined = [...all, ...api.map((k) => `${k} (Gateway API)`)];
  throw new ExplainError(found.length === 0
    ? `no Gateway "${given}" in the manifests (they define ${defined.join(', ') || 'none'}); use mesh for in-mesh requests`
    : `Gateway "${given}" is ambiguous (${found.join(', ')}): give it as namespace/name`);
}

/** The HTTPRoutes and GRPCRoutes of one namespace attached to a Service with one parentRef port: istiod makes one VirtualService of them. */
interface MeshRouteGroup {
  readonly namespace: string;
  /** The parentRef's port, `undefined` for none. */
  readonly port: number | undefined;
  readonly http: HttpRouteInfo[];
  readonly grpc: GrpcRouteInfo[];
}

/**
 * The routes attached to the Service `fqdn` (on `port`, when known) that a caller of namespace
 * `from` gets, as istiod makes them: one VirtualService per route namespace and parentRef port
 * (pilot's route collections), applied only to callers of the route's namespace or of the
 * Service's (pilot's `BuildSidecarVirtualHostWrapper`); the groups of the caller's namespace come
 * first (`VirtualServicesForGateway` puts the consumer's routes first). `excluded` are the routes
 * the namespace rule leaves out.
 */
function meshRouteGroups(index: MeshIndex, fqdn: string, port: number | undefined, from: string): { groups: MeshRouteGroup[]; excluded: RouteInfo[] } {
  const groups = new Map<string, MeshRouteGroup>();
  const excluded: RouteInfo[] = [];
  for (const route of [...converted(index, index.httpRoutes), ...converted(index, grpcRoutes(index))]) {
    for (const p of route.parentRefs) {
      const serviceNamespace = p.namespace ?? route.ref.namespace;
      if (!(p.group === '' && p.kind === 'Service' && serviceHost(p.name, serviceNamespace) === fqdn && (p.port === undefined || port === undefined || p.port === port))) {
        continue;
      }
      if (route.ref.namespace !== from && route.ref.namespace !== serviceNamespace) {
        if (!excluded.includes(route)) {
          excluded.push(route);
        }
        continue;
      }
      const key = `${route.ref.namespace}/${p.port ?? ''}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { namespace: route.ref.namespace, port: p.port, http: [], grpc: [] };
        groups.set(key, group);
      }
      const list: RouteInfo[] = route.ref.kind === 'GRPCRoute' ? group.grpc : group.http;
      if (!list.includes(route)) {
        list.push(route);
      }
    }
  }
  const all = [...groups.values()];
  return { groups: [...all.filter((g) => g.namespace === from), ...all.filter((g) => g.namespace !== from)], excluded };
}

/** `HTTPRoute ns/a` or `HTTPRoutes ns/a, ns/b and GRPCRoute ns/c`: the routes of a group. */
function groupText(group: MeshRouteGroup): string {
  return routeText([...group.http, ...group.grpc]);
}

/**
 * Which of the VirtualService `vs` and the route groups routes the Service `fqdn` for a caller of
 * namespace `from`, as the sidecar keeps the first virtual host of a domain: a VirtualService
 * exported to the caller's namespace by name (or only to its own) first, then the routes of the
 * caller's namespace, then the others (VirtualServices exported everywhere and the Service's
 * namespace's routes, in the order they were created, which manifests do not tell: explain then
 * takes the VirtualService and says so). An exact host comes before a wildcard one, and a
 * VirtualService without http rules gives no HTTP route. `group` is the one that applies, if any.
 */
function meshPrecedence(index: MeshIndex, vs: VirtualServiceInfo | undefined, fqdn: string, groups: readonly MeshRouteGroup[], from: string): { group?: MeshRouteGroup; warnings: string[] } {
  const [first, ...others] = groups;
  if (first === undefined) {
    return { warnings: [] };
  }
  const warnings: string[] = [];
  const samePlace = others.filter((g) => g.namespace === first.namespace);
  if (samePlace.length > 0) {
    const ports = [first, ...samePlace].map((g) => (g.port === undefined ? 'none' : String(g.port))).join(', ');
    warnings.push(`the routes of namespace ${first.namespace} attached to Service ${fqdn} name different parentRef ports (${ports}): istiod makes one VirtualService of each, and applies the one created first, which manifests do not tell; explain follows ${groupText(first)}`);
  }
  const lost = others.filter((g) => g.namespace !== first.namespace);
  const exact = vs !== undefined && vs.hosts.some((h) => index.resolveHost(h, vs.ref.namespace) === fqdn);
  const vsApplies = vs !== undefined && vs.http.length > 0 && exact;
  const vsFirst = vsApplies && !vs.exportTo.includes(ALL_NAMESPACES);
  const consumer = first.namespace === from;
  if (vs !== undefined && vs.http.length > 0 && (vsFirst || (!consumer && vsApplies))) {
    const why = vsFirst
      ? `${refText(vs.ref)} is exported to namespace ${from} by name (exportTo), which puts it before the routes made of HTTPRoutes`
      : `Istio applies whichever was created first, which manifests do not tell: explain follows ${refText(vs.ref)}`;
    return { warnings: [...warnings, ...[first, ...others].map((g) => `${groupText(g)} ${g.http.length + g.grpc.length === 1 ? 'is' : 'are'} also attached to Service ${fqdn}; for a caller in namespace ${from}, ${why}`)] };
  }
  if (vs !== undefined) {
    const why = vs.http.length === 0 ? `${refText(vs.ref)} has no http rule` : !exact ? `${refText(vs.ref)} takes the host by a wildcard, after the exact host of the routes`
      : `Istio puts the routes of the caller's namespace (${from}) before ${refText(vs.ref)}, which is exported to every namespace`;
    warnings.push(`${refText(vs.ref)} also routes host ${fqdn}, but ${groupText(first)} ${first.http.length + first.grpc.length === 1 ? 'applies' : 'apply'} for a caller in namespace ${from}: ${why}`);
  }
  // Routes of another namespace than the first group's are the Service's namespace's, after the caller's.
  warnings.push(...lost.map((g) => `${groupText(g)} ${g.http.length + g.grpc.length === 1 ? 'is' : 'are'} also attached to Service ${fqdn}, but for a caller in namespace ${from} Istio applies ${groupText(first)}, of the caller's namespace, first`));
  return { group: first, warnings };
}

/**
 * The VirtualServices a sidecar of namespace `from` sees (pilot's `VirtualServicesForGateway`):
 * those exported to it, first those of its own namespace, then those exported to it by name, then
 * those exported to every namespace.
 */
function visibleFrom(bound: readonly VirtualServiceInfo[], from: string): VirtualServiceInfo[] {
  const own = bound.filter((vs) => vs.ref.namespace === from && vs.exportTo.includes(from) && !vs.exportTo.includes(ALL_NAMESPACES));
  const named = bound.filter((vs) => vs.ref.namespace !== from && vs.exportTo.includes(from) && !vs.exportTo.includes(ALL_NAMESPACES));
  return [...own, ...named, ...bound.filter((vs) => vs.exportTo.includes(ALL_NAMESPACES))];
}

/**
 * The VirtualService that routes a host in the mesh: the one whose host (as Istio completes it) is
 * the most specific of those that take the request's host (resolved in the caller's namespace
 * `from`); of equals, the first (pilot keeps the first virtual host of a domain).
 */
function pickVirtualService(index: MeshIndex, bound: VirtualServiceInfo[], gateway: string, host: string | undefined, from: string): VirtualServiceInfo | undefined {
  if (host === undefined) {
    if (bound.length > 1) {
      throw new ExplainError(`${bound.length} VirtualServices are bound to ${gateway} (${bound.map((v) => `${v.ref.namespace}/${v.ref.name}`).join(', ')}): pass --host`);
    }
    return bound[0];
  }
  // The most specific host wins: an exact name before a wildcard, a longer wildcard before a shorter one.
  let best: { vs: VirtualServiceInfo; score: number } | undefined;
  const requested = index.requestHost(host, from);
  for (const vs of bound) {
    for (const written of vs.hosts) {
      const vsHost = index.resolveHost(written, vs.ref.namespace);
      if (hostServes(vsHost, requested)) {
        const score = hostSpecificity(vsHost);
        if (best === undefined || score > best.score) {
          best = { vs, score };
        }
      }
    }
  }
  return best?.vs;
}

function pods(replicas: number | undefined): string {
  return replicas === undefined ? 'one pod per node' : `${replicas} ${replicas === 1 ? 'pod' : 'pods'}`;
}

/** The explanation as lines of text. */
export function formatExplanation(e: Explanation): string {
  const headers = Object.entries(e.request.headers).map(([k, v]) => `${k}: ${v}`);
  const lines = [`request: ${e.request.method} ${e.request.path}, host ${e.request.host}${e.request.authority !== undefined ? ` (Host ${e.request.authority})` : ''}, via ${e.request.gateway}${e.request.fromNamespace !== undefined && e.request.fromNamespace !== DEFAULT_NAMESPACE ? ` from namespace ${e.request.fromNamespace}` : ''}${headers.length > 0 ? `, headers ${headers.join('; ')}` : ''}`];
  const by = e.virtualService ?? e.httpRoute ?? e.grpcRoute;
  if (by !== undefined && e.rule !== undefined) {
    const delegated = e.delegate !== undefined ? `, delegated to ${refText(e.delegate.virtualService)}, http rule ${e.delegate.rule.number}${e.delegate.rule.name ? ` ("${e.delegate.rule.name}")` : ''}` : '';
    lines.push(`matched: ${refText(by)}, ${e.virtualService !== undefined ? 'http rule' : 'rule'} ${e.rule.number}${e.rule.name ? ` ("${e.rule.name}")` : ''}${delegated}: ${e.rule.matchedBy}`);
    for (const d of e.destinations) {
      const target = d.subset !== undefined ? `subset ${d.subset} of ${d.host}` : d.host;
      const behind = d.missing === 'host' ? (e.virtualService !== undefined ? 'host not defined (no Service or ServiceEntry): 503' : 'Service not defined: 500')
        : d.missing === 'subset' ? 'subset not defined (no DestinationRule of the host defines it): 503'
          : d.workloads.length === 0 ? 'no pods' : d.workloads.map((w) => `${w.ref.kind} ${w.ref.namespace}/${w.ref.name} (${pods(w.replicas)})`).join(', ');
      lines.push(`  ${String(d.percent).padStart(3)}% -> ${target} -> ${behind}`);
    }
    for (const m of e.mirrors) {
      lines.push(`  mirror ${m.percent}% -> ${m.subset !== undefined ? `subset ${m.subset} of ${m.host}` : m.host} (copies, responses ignored)`);
    }
  }
  for (const note of e.notes) {
    lines.push(`note: ${note}`);
  }
  for (const warning of e.warnings) {
    lines.push(`warning: ${warning}`);
  }
  return `${lines.join('\n')}\n`;
}
