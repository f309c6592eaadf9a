/**
 * The checks of Gateway API routes (`gateway.networking.k8s.io`: HTTPRoutes, GRPCRoutes and
 * TLSRoutes): that their parents and backends exist, that their parents' listeners take routes of
 * their kind and namespace, that backends in another namespace are granted, that their hostnames
 * meet a listener of their Gateway, and that a rule's weights do not all say 0.
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httproute
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#grpcroute
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#tlsroute
 */
import { finding } from './checks';
import { Finding } from './findings';
import { ISTIO_GATEWAY_CLASS, istioGatewayDeploymentProblem, MAX_ISTIO_GATEWAY_NAME } from './istio-validation';
import { BackendRefJson, BackendRuleJson, GrantRefJson, ListenerJson, ParentRefJson, RouteFilterJson } from './json';
import { ApiGatewayInfo, GATEWAY_API_GROUP, MeshIndex, ReferenceGrantInfo, RouteInfo, RouteKind, selectorMatches, serviceHost, ServiceInfo } from './manifests';

/** The kind and group a parentRef names: a Gateway unless it says otherwise. */
export function parentKind(p: ParentRefJson): { group: string; kind: string } {
  return { group: p.group ?? GATEWAY_API_GROUP, kind: p.kind ?? 'Gateway' };
}

/** Whether a backendRef (or parentRef) names a core Service. */
export function isService(r: { group?: string; kind?: string }, defaultKind: string): boolean {
  return (r.group ?? (defaultKind === 'Service' ? '' : GATEWAY_API_GROUP)) === '' && (r.kind ?? defaultKind) === 'Service';
}

/** `rule 2 ("canary")`. */
export function routeRuleLabel(route: RouteInfo, index: number): string {
  const name = route.rules[index]?.name;
  return `rule ${index + 1}${typeof name === 'string' ? ` ("${name}")` : ''}`;
}

function serviceOf(index: MeshIndex, name: string, namespace: string): ServiceInfo | undefined {
  return index.services.get(serviceHost(name, namespace));
}

/** The Gateway a parentRef names, if it names one of the manifests. */
export function parentGateway(index: MeshIndex, route: RouteInfo, p: ParentRefJson): ApiGatewayInfo | undefined {
  const { group, kind } = parentKind(p);
  return group === GATEWAY_API_GROUP && kind === 'Gateway' ? index.apiGateways.get(`${p.namespace ?? route.ref.namespace}/${p.name}`) : undefined;
}

/** The listeners of `gateway` a parentRef attaches to: those of its `sectionName` and `port`, when given. */
export function attachedListeners(gateway: ApiGatewayInfo, p: ParentRefJson): ListenerJson[] {
  return gateway.listeners.filter((l) => (p.sectionName === undefined || l.name === p.sectionName) && (p.port === undefined || l.port === p.port));
}

/**
 * Whether a listener hostname and a route hostname have requests in common: equal names, or a
 * `*.` wildcard whose suffix the other name (or wildcard) ends with; a listener without a
 * hostname takes every host.
 */
export function hostnamesIntersect(listener: string | undefined, route: string): boolean {
  if (listener === undefined || listener === '' || listener === route) {
    return true;
  }
  const covers = (wild: string, name: string) => wild.startsWith('*.') && name.endsWith(wild.slice(1)) && name.length > wild.length - 1;
  return covers(listener, route) || covers(route, listener);
}

/**
 * The route kinds a listener takes when its `allowedRoutes.kinds` does not say, by protocol, as
 * Istio 1.30 has them: HTTPRoute and GRPCRoute on HTTP and HTTPS, TLSRoute on TLS (passthrough,
 * or terminated, where TCPRoute is taken too; the mode defaults to Terminate when `tls` is given).
 */
function defaultKinds(listener: ListenerJson): string[] {
  switch (listener.protocol) {
    case 'HTTP':
    case 'HTTPS':
      return ['HTTPRoute', 'GRPCRoute'];
    case 'TLS':
      return listener.tls !== undefined && (listener.tls.mode ?? 'Terminate') === 'Terminate' ? ['TLSRoute', 'TCPRoute'] : ['TLSRoute'];
    case 'TCP':
      return ['TCPRoute'];
    case 'UDP':
      return ['UDPRoute'];
    default:
      return [];
  }
}

/** What each route kind needs of a listener's protocol, and what it carries, in the words of the messages. */
interface KindTerms {
  /** The listener protocols that take the kind. */
  readonly protocols: readonly string[];
  /** `HTTP and HTTPS`. */
  readonly protocolText: string;
  /** `an HTTP or HTTPS listener`. */
  readonly listener: string;
  /** What the route sends: `request`, or `connection` for a TLSRoute. */
  readonly unit: string;
}

const HTTP_TERMS: KindTerms = { protocols: ['HTTP', 'HTTPS'], protocolText: 'HTTP and HTTPS', listener: 'an HTTP or HTTPS listener', unit: 'request' };
const KIND_TERMS: Record<RouteKind, KindTerms> = {
  HTTPRoute: HTTP_TERMS,
  GRPCRoute: HTTP_TERMS,
  TLSRoute: { protocols: ['TLS'], protocolText: 'TLS', listener: 'a TLS listener', unit: 'connection' },
};

function termsOf(route: RouteInfo): KindTerms {
  return Object.prototype.hasOwnProperty.call(KIND_TERMS, route.ref.kind) ? KIND_TERMS[route.ref.kind as RouteKind] : HTTP_TERMS;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).filter(([k]) => k !== 'kubernetes.io/metadata.name');
  return pairs.length === 0 ? 'no labels' : `labels ${pairs.map(([k, v]) => `${k}=${v}`).join(', ')}`;
}

/**
 * Why a listener does not take a route (of the kind `route.ref.kind` names), or `undefined` when
 * it does or when the manifests cannot tell:
 * - an HTTPRoute or a GRPCRoute attaches to HTTP and HTTPS listeners only, a TLSRoute to TLS
 *   listeners only (passthrough or terminated, as Istio takes both), and only if
 *   `allowedRoutes.kinds`, when given, lists the kind;
 * - `allowedRoutes.namespaces.from`: `Same` (the default) takes routes of the Gateway's namespace,
 *   `All` any, `Selector` those whose Namespace's labels (with the `kubernetes.io/metadata.name`
 *   label every namespace has) match the selector; a Namespace not in the manifests cannot be
 *   judged, and is taken as matching.
 */
export function listenerRefusal(listener: ListenerJson, gateway: ApiGatewayInfo, route: RouteInfo, index?: MeshIndex): string | undefined {
  const name = `listener ${listener.name ?? '?'}`;
  const protocol = String(listener.protocol ?? '');
  const kind = route.ref.kind;
  const terms = termsOf(route);
  const kinds = listener.allowedRoutes?.kinds;
  if (!terms.protocols.includes(protocol)) {
    return `${name} speaks ${protocol || 'no protocol'}, and only ${terms.protocolText} listeners take ${kind}s (it takes ${defaultKinds(listener).join(', ') || 'no route of the standard kinds'})`;
  }
  if (kinds !== undefined && !kinds.some((k) => k?.kind === kind && (k.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP)) {
    const listed = kinds.map((k) => ((k?.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP ? k?.kind ?? '?' : `${k?.kind} of group ${k?.group}`));
    return `${name} takes only ${listed.join(', ') || 'no route kind'} (allowedRoutes.kinds), not ${kind}`;
  }
  const namespaces = listener.allowedRoutes?.namespaces;
  const from = namespaces?.from ?? 'Same';
  if (from === 'Same' && route.ref.namespace !== gateway.ref.namespace) {
    return `${name} takes routes of its own namespace only (allowedRoutes.namespaces.from: Same${namespaces?.from === undefined ? ', the default' : ''})`;
  }
  if (from === 'Selector') {
    const labels = index?.namespaceLabels.get(route.ref.namespace);
    if (labels !== undefined && !selectorMatches(namespaces?.selector ?? {}, labels)) {
      return `${name} takes routes of the namespaces its allowedRoutes.namespaces.selector picks, and Namespace ${route.ref.namespace} (${labelText(labels)}) is not one of them`;
    }
  }
  return undefined;
}

/** Whether a listener takes the route (see `listenerRefusal`). */
export function routeAllowed(listener: ListenerJson, gateway: ApiGatewayInfo, route: RouteInfo, index?: MeshIndex): boolean {
  return listenerRefusal(listener, gateway, route, index) === undefined;
}

function refusalFix(route: RouteInfo, reasons: readonly string[]): string {
  const terms = termsOf(route);
  if (reasons.some((r) => r.includes(`only ${terms.protocolText} listeners`))) {
    return `attach the route to ${terms.listener} (sectionName or port)`;
  }
  if (reasons.some((r) => r.includes('allowedRoutes.kinds'))) {
    return `add ${route.ref.kind} to the listener's allowedRoutes.kinds`;
  }
  if (reasons.some((r) => r.includes('selector'))) {
    return 'label the route\'s Namespace to match the selector, or widen the selector';
  }
  return 'set from: All (or a Selector that picks the route\'s namespace) on the listener';
}

function parentText(p: ParentRefJson, namespace: string): string {
  const { kind } = parentKind(p);
  const extra = [p.sectionName !== undefined ? `sectionName ${p.sectionName}` : '', p.port !== undefined ? `port ${p.port}` : ''].filter((e) => e !== '').join(', ');
  return `${kind} ${p.namespace ?? namespace}/${p.name}${extra !== '' ? ` (${extra})` : ''}`;
}

function checkParents(index: MeshIndex, route: RouteInfo): Finding[] {
  const findings: Finding[] = [];
  const { unit } = termsOf(route);
  for (const p of route.parentRefs) {
    const namespace = p.namespace ?? route.ref.namespace;
    const { group, kind } = parentKind(p);
    if (group === GATEWAY_API_GROUP && kind === 'Gateway') {
      const gateway = parentGateway(index, route, p);
      if (gateway === undefined) {
        findings.push(finding('gateway-api-unknown-parent', route.ref, `parentRefs names Gateway ${namespace}/${p.name}, which is not defined (gateway.networking.k8s.io); the route is attached to nothing there: define the Gateway or fix the parentRef`));
        continue;
      }
      const listeners = attachedListeners(gateway, p);
      // Hostnames are matched against the listeners that take the route only.
      const refusals = listeners.map((l) => listenerRefusal(l, gateway, route, index));
      const taking = listeners.filter((_, i) => refusals[i] === undefined);
      if (listeners.length === 0) {
        findings.push(finding('gateway-api-unknown-parent', route.ref, `parentRefs names ${parentText(p, route.ref.namespace)}, but the Gateway has no such listener (it has ${gateway.listeners.map((l) => `${l.name} on port ${l.port}`).join(', ') || 'none'}); fix sectionName or port`));
      } else if (taking.length === 0) {
        const reasons = [...new Set(refusals as string[])];
        findings.push(finding('gateway-api-route-not-allowed', route.ref, `parentRefs names ${parentText(p, route.ref.namespace)}, whose listeners do not take the route: ${reasons.join('; ')}; the Gateway does not accept the route, so it routes no ${unit} there: ${refusalFix(route, reasons)}`));
      } else if (route.hostnames.length > 0 && !taking.some((l) => route.hostnames.some((h) => hostnamesIntersect(l.hostname, h)))) {
        findings.push(finding('gateway-api-hostname-mismatch', route.ref, `hostnames ${route.hostnames.join(', ')} meet no listener hostname of ${parentText(p, route.ref.namespace)} (${taking.map((l) => l.hostname).join(', ')}); the Gateway does not accept the route, so it routes no ${unit} there: add a matching hostname to the route or the listener`));
      }
    } else if (group === GATEWAY_API_GROUP && kind === 'Service') {
      // The group of a parentRef defaults to the Gateway API's, where there is no Service kind.
      findings.push(finding('gateway-api-unknown-parent', route.ref, `parentRefs names kind Service without group "" (so of group ${GATEWAY_API_GROUP}, which has no Service kind); a route attached to Service ${namespace}/${p.name} for mesh routing needs group: ""`));
    } else if (isService(p, 'Gateway')) {
      const service = serviceOf(index, String(p.name), namespace);
      if (service === undefined) {
        findings.push(finding('gateway-api-unknown-parent', route.ref, `parentRefs names Service ${namespace}/${p.name}, which is not defined; ${unit}s to it are not routed by this route: define the Service or fix the parentRef`));
      } else if (p.port !== undefined && !service.ports.some((sp) => sp.port === p.port)) {
        findings.push(finding('gateway-api-unknown-parent', route.ref, `parentRefs names port ${p.port} of Service ${namespace}/${p.name}, which has ports ${service.ports.map((sp) => sp.port).join(', ')}; fix the port`));
      }
    }
  }
  return findings;
}

/**
 * Whether a ReferenceGrant in namespace `to` lets objects of kind `fromKind` (of the Gateway API
 * group) in namespace `from` refer to the core object `toKind` named `name`.
 */
function granted(grants: readonly ReferenceGrantInfo[], fromKind: string, from: string, to: string, toKind: 'Service' | 'Secret', name: string): boolean {
  return grants.some((g) => g.ref.namespace === to
    && g.from.some((f) => f.group === GATEWAY_API_GROUP && f.kind === fromKind && f.namespace === from)
    && g.to.some((t) => t.group === '' && t.kind === toKind && (t.name === undefined || t.name === name)));
}

function checkBackend(index: MeshIndex, route: RouteInfo, rule: number, b: BackendRefJson, mirror = false): Finding[] {
  if (!isService(b, 'Service')) {
    return [];
  }
  const kind = route.ref.kind;
  const at = `${routeRuleLabel(route, rule)} ${mirror ? 'mirrors to' : 'sends to'}`;
  // istiod drops a whole GRPCRoute whose mirror it cannot resolve (convertGRPCRoute); an HTTPRoute only loses the mirror.
  const fails = mirror
    ? (kind === 'GRPCRoute' ? 'istiod cannot resolve the mirror and drops the whole GRPCRoute, so none of its calls are served' : 'the copies mirrored there are lost')
    : `the ${termsOf(route).unit}s sent there fail`;
  const namespace = b.namespace ?? route.ref.namespace;
  const findings: Finding[] = [];
  if (namespace !== route.ref.namespace && !granted(index.referenceGrants, kind, route.ref.namespace, namespace, 'Service', String(b.name))) {
    findings.push(finding('gateway-api-cross-namespace-backend', route.ref, `${at} Service ${namespace}/${b.name} in another namespace, but no ReferenceGrant in namespace ${namespace} lets ${kind}s of namespace ${route.ref.namespace} refer to it; the reference is refused: add a ReferenceGrant (from ${kind} in ${route.ref.namespace}, to Service)`));
  }
  const service = serviceOf(index, String(b.name), namespace);
  if (service === undefined && String(b.name ?? '').includes('.')) {
    // A host name where the Service's name belongs: gateway-api-route-dropped says what istiod does.
    return findings;
  }
  if (service === undefined) {
    findings.push(finding('gateway-api-unknown-backend', route.ref, `${at} Service ${namespace}/${b.name}, which is not defined; ${fails}: define the Service or fix the backendRef`));
  } else if (b.port === undefined) {
    findings.push(finding('gateway-api-backend-port', route.ref, `${at} Service ${namespace}/${b.name} without a port, which a Service backend requires; add port (one of ${service.ports.map((p) => p.port).join(', ')})`));
  } else if (!service.ports.some((p) => p.port === b.port)) {
    findings.push(finding('gateway-api-backend-port', route.ref, `${at} port ${b.port} of Service ${namespace}/${b.name}, which has ports ${service.ports.map((p) => p.port).join(', ') || 'none'}; fix the port`));
  }
  return findings;
}

/**
 * The certificates of Gateway API Gateways: an HTTPS listener (or a TLS one that terminates) needs
 * `certificateRefs`, and a Secret in another namespace than the Gateway's needs a ReferenceGrant
 * there that lets Gateways of the Gateway's namespace refer to it. Without one, the listener's
 * `ResolvedRefs` condition is False (`RefNotPermitted`) and it serves no HTTPS.
 */
export function checkGatewayCertificates(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  for (const gateway of index.apiGateways.values()) {
    for (const listener of gateway.listeners) {
      const protocol = listener.protocol;
      const mode = listener.tls?.mode ?? 'Terminate';
      // The API server defaults tls.mode to Terminate, and refuses a TLS listener without tls.
      if (!(protocol === 'HTTPS' || (protocol === 'TLS' && listener.tls !== undefined)) || mode !== 'Terminate') {
        continue;
      }
      const refs = (listener.tls?.certificateRefs ?? []).filter((r): r is GrantRefJson => r !== null && typeof r === 'object');
      if (refs.length === 0 && Object.keys(listener.tls?.options ?? {}).length === 0) {
        findings.push(finding('tls-without-credential', gateway.ref, `listener ${listener.name ?? '?'} (port ${listener.port}, ${protocol}) terminates TLS without a certificate; set tls.certificateRefs to the Secret holding it`));
      }
      for (const ref of refs) {
        const namespace = ref.namespace ?? gateway.ref.namespace;
        const secret = (ref.group ?? '') === '' && (ref.kind ?? 'Secret') === 'Secret';
        if (!secret || namespace === gateway.ref.namespace) {
          continue;
        }
        if (!granted(index.referenceGrants, 'Gateway', gateway.ref.namespace, namespace, 'Secret', String(ref.name))) {
          findings.push(finding('gateway-api-cross-namespace-certificate', gateway.ref, `listener ${listener.name ?? '?'} takes its certificate from Secret ${namespace}/${ref.name} in another namespace, but no ReferenceGrant in namespace ${namespace} lets Gateways of namespace ${gateway.ref.namespace} refer to it; the reference is refused (the listener's ResolvedRefs condition is False, RefNotPermitted) and the listener serves no HTTPS: add a ReferenceGrant (from Gateway in ${gateway.ref.namespace}, to Secret), or move the Secret to namespace ${gateway.ref.namespace}`));
        }
      }
    }
  }
  return findings;
}

/** The annotation that gives Istio's deployment of a Gateway another name than `<name>-<class>`. */
const NAME_OVERRIDE = 'gateway.istio.io/name-override';

/**
 * The Gateways of class `istio` that Istio deploys itself (no `addresses`, or one IP address) and
 * names `<name>-istio`, whose name makes that Deployment and Service invalid: the gateway never
 * runs. A warning, since a cluster may run Istio without its deployment controller.
 */
export function checkIstioGatewayDeployments(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  for (const gateway of index.apiGateways.values()) {
    const managed = gateway.addresses.length === 0
      || (gateway.addresses.length === 1 && (gateway.addresses[0].type ?? 'IPAddress') === 'IPAddress');
    if (gateway.gatewayClassName !== ISTIO_GATEWAY_CLASS || !managed || gateway.annotations[NAME_OVERRIDE] !== undefined) {
      continue;
    }
    const problem = istioGatewayDeploymentProblem(gateway.ref.name);
    if (problem !== undefined) {
      findings.push(finding('gateway-api-undeployable-name', gateway.ref, `its name ${problem}: rename the Gateway (at most ${MAX_ISTIO_GATEWAY_NAME} characters, starting with a letter), or name the deployment with the annotation ${NAME_OVERRIDE}`));
    }
  }
  return findings;
}

/** The HTTPRoutes' parents, backends (those of `backendRefs` and of `RequestMirror` filters), hostnames and weights. */
export function checkHttpRoutes(index: MeshIndex): Finding[] {
  return index.httpRoutes.flatMap((route) => checkRoute(index, route));
}

/**
 * The GRPCRoutes and TLSRoutes, checked as HTTPRoutes are: their parents (listeners that take
 * their kind), backends (a GRPCRoute's `RequestMirror` filters' too), hostnames (SNI names for a
 * TLSRoute) and weights.
 */
export function checkGrpcAndTlsRoutes(index: MeshIndex): Finding[] {
  return index.otherRoutes.flatMap((route) => checkRoute(index, route));
}

/**
 * The filter types istiod converts on a rule of each kind (`convertHTTPRoute`, `convertGRPCRoute`
 * in pilot's `config/kube/gateway/conversion.go`); any other is an error that drops the route.
 */
const RULE_FILTERS: Readonly<Record<string, ReadonlySet<string>>> = {
  HTTPRoute: new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'RequestMirror', 'URLRewrite', 'CORS']),
  GRPCRoute: new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror']),
};

/** The filter types istiod converts on a backendRef (`buildHTTPDestination`, `buildGRPCDestination`). */
const BACKEND_FILTERS: ReadonlySet<string> = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier']);

/** Whether Envoy takes `value` as a header value: no control character but tab (`isValidHeaderValue`). */
function validHeaderValue(value: string): boolean {
  return [...value].every((c) => c === '\t' || (c >= ' ' && c !== '\u007f'));
}

function filterProblems(filters: readonly RouteFilterJson[], allowed: ReadonlySet<string>, where: string, kind: string): string[] {
  const problems: string[] = [];
  for (const f of filters.filter((x) => x !== null && typeof x === 'object')) {
    if (!allowed.has(String(f.type))) {
      problems.push(`${where} has a ${String(f.type)} filter, which istiod does not convert there (it takes ${[...allowed].join(', ')} on a ${kind}${allowed === BACKEND_FILTERS ? ' backendRef' : ' rule'})`);
      continue;
    }
    for (const modifier of [f.requestHeaderModifier, f.responseHeaderModifier]) {
      for (const h of [...(modifier?.set ?? []), ...(modifier?.add ?? [])]) {
        if (typeof h?.value === 'string' && !validHeaderValue(h.value)) {
          problems.push(`${where}'s ${String(f.type)} gives header "${h.name}" a value with a control character`);
        }
      }
    }
  }
  return problems;
}

/**
 * What keeps istiod from converting `route` at all: a hard error of pilot's conversion (an
 * unsupported filter on a rule or a backendRef, a header value with a control character, a
 * backendRef that names a Service by its host name, a `Hostname` backend with a namespace, and for
 * a GRPCRoute any mirror it cannot resolve). istiod then drops every rule of the route, not only
 * the faulty one.
 */
export function conversionProblems(index: MeshIndex, route: RouteInfo): string[] {
  const kind = route.ref.kind;
  if (kind !== 'HTTPRoute' && kind !== 'GRPCRoute') {
    return [];
  }
  const problems: string[] = [];
  route.rules.forEach((rule: BackendRuleJson, i) => {
    const label = routeRuleLabel(route, i);
    const filters = Array.isArray(rule.filters) ? rule.filters : [];
    problems.push(...filterProblems(filters, RULE_FILTERS[kind], label, kind));
    const backends = Array.isArray(rule.backendRefs) ? rule.backendRefs.filter((b) => b !== null && typeof b === 'object') : [];
    const redirects = filters.some((f) => f?.type === 'RequestRedirect');
    // A rule whose backends all weigh 0 answers 500 without resolving them (unless an HTTPRoute rule redirects).
    if (backends.reduce((sum, b) => sum + (typeof b.weight === 'number' ? b.weight : 1), 0) === 0 && !(redirects && kind === 'HTTPRoute')) {
      return;
    }
    backends.forEach((b, n) => {
      const where = `${label}'s backendRef ${n + 1}`;
      problems.push(...filterProblems(Array.isArray(b.filters) ? b.filters : [], BACKEND_FILTERS, where, kind));
      if (isService(b, 'Service') && String(b.name ?? '').includes('.')) {
        problems.push(`${where} names Service "${b.name}" by a host name, where a backendRef takes the Service's name${hostNameHint(index, String(b.name))}`);
      }
      if (b.group === 'networking.istio.io' && b.kind === 'Hostname' && b.namespace !== undefined) {
        problems.push(`${where} is a Hostname backend with a namespace, which istiod refuses (a Hostname is not namespaced)`);
      }
    });
  });
  return problems;
}

/** ` ("website" of namespace shop)` when `host` is a known Service's fully qualified name. */
function hostNameHint(index: MeshIndex, host: string): string {
  const service = index.services.get(host) ?? index.expansionOf(host);
  return service === undefined ? '' : ` ("${service.ref.name}", with namespace ${service.ref.namespace} if it is another namespace's)`;
}

function checkRoute(index: MeshIndex, route: RouteInfo): Finding[] {
  const findings: Finding[] = [...checkParents(index, route)];
  const problems = conversionProblems(index, route);
  if (problems.length > 0) {
    findings.push(finding('gateway-api-route-dropped', route.ref, `istiod cannot convert this ${route.ref.kind}, so it drops all of its rules and serves none of its ${termsOf(route).unit}s: ${problems.join('; ')}`));
  }
  route.rules.forEach((rule, i) => {
    const backends = Array.isArray(rule.backendRefs) ? rule.backendRefs.filter((b) => b !== null && typeof b === 'object') : [];
    for (const b of backends) {
      findings.push(...checkBackend(index, route, i, b));
    }
    // A TLSRoute rule has no filters (the API server drops or refuses the field).
    for (const filter of route.ref.kind !== 'TLSRoute' && Array.isArray(rule.filters) ? rule.filters : []) {
      const mirrored = filter?.type === 'RequestMirror' ? filter.requestMirror?.backendRef : undefined;
      if (mirrored !== null && typeof mirrored === 'object') {
        findings.push(...checkBackend(index, route, i, mirrored, true));
      }
    }
    if (backends.length > 0 && backends.every((b) => b.weight === 0)) {
      findings.push(finding('zero-total-weight', route.ref, `${routeRuleLabel(route, i)}'s backendRefs all have weight 0, so no ${termsOf(route).unit} this rule takes reaches a backend; give at least one a weight above 0`));
    }
  });
  return findings;
}
