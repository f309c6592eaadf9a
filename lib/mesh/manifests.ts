/**
 * An index over plain manifest objects (what `kubectl apply` receives), by host and by label, so
 * that every check is a lookup rather than a scan of all pairs.
 */

import {
  BackendRuleJson, DestinationJson, GrantRefJson, HttpRouteJson, JsonObject, L4RouteJson, ListenerJson, ParentRefJson, RouteRuleJson, RuleJson, ServerJson, ServicePortJson,
  LabelSelectorJson, RouteFilterJson,
} from './json';
import { DEFAULT_NAMESPACE, MESH_GATEWAY, resolveGatewayName } from '../model/names';
import { groupOf, isVerifiedKind } from './shape';

/** A manifest as parsed from YAML or synthesized; only the fields the checks read are typed. */
export interface Manifest {
  /** `v1`, `apps/v1`, `networking.istio.io/v1`... */
  readonly apiVersion?: string;
  /** The kind. */
  readonly kind?: string;
  /** Name, namespace (`default` when absent) and labels. */
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  /** The spec, as written. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- public API: callers read and write specs of any kind
  readonly spec?: any;
}

/** Identifies an object in messages and findings. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** All namespaces, in `exportTo`. */
export const ALL_NAMESPACES = '*';

/** `exportTo` as written (`.` for the object's own namespace); none means all namespaces. */
export function resolveExportTo(exportTo: readonly string[], namespace: string): string[] {
  const resolved = exportTo.map((e) => (e === '.' ? namespace : e));
  return resolved.length === 0 || resolved.includes(ALL_NAMESPACES) ? [ALL_NAMESPACES] : [...new Set(resolved)];
}

/** Whether something exported to `exportTo` is visible in `namespace`. */
export function visibleIn(exportTo: readonly string[], namespace: string): boolean {
  return exportTo.includes(ALL_NAMESPACES) || exportTo.includes(namespace);
}

export { DEFAULT_NAMESPACE, MESH_GATEWAY };
const CLUSTER_SUFFIX = 'svc.cluster.local';

/** The fully qualified host of Service `name` of `namespace` (`name.namespace.svc.cluster.local`). */
export function serviceHost(name: unknown, namespace: string): string {
  return `${String(name)}.${namespace}.${CLUSTER_SUFFIX}`;
}

/**
 * The host that Istio makes of `host` written in an Istio object of namespace `namespace`
 * (pilot's `ResolveShortnameToFQDN`): a short name is completed with the namespace and
 * `svc.cluster.local`; a wildcard, an IP address or any name with a dot stays as written.
 */
export function configHost(host: string, namespace: string): string {
  return host.includes('.') || host.includes(':') || host === '*' || host === '' ? host : serviceHost(host, namespace);
}

/** A Service port. */
export interface ServicePortInfo {
  /** The port's name, if any. */
  readonly name?: string;
  /** The port number. */
  readonly port: number;
  /** The port's `appProtocol`, if any. */
  readonly appProtocol?: string;
  /** The port's transport protocol (`TCP`, `UDP`, `SCTP`), if written. */
  readonly protocol?: string;
}

/** Ports on which Istio does not sniff the protocol of a port whose name or appProtocol does not tell it: it takes them as TCP. */
const WELL_KNOWN_TCP_PORTS: ReadonlySet<number> = new Set([25, 53, 3306, 27017]);

/**
 * The protocol Istio gives a Service port (its `ConvertProtocol`): `UDP` for a UDP port; else
 * from the `appProtocol` (Kubernetes' `kubernetes.io/h2c`, `ws`, `wss` included) or else the
 * name's prefix before `-`, ignoring case; `UNSUPPORTED` when neither tells (Istio then sniffs
 * the protocol), except on ports 25, 53, 3306 and 27017, which are `TCP`.
 */
export function servicePortProtocol(port: ServicePortInfo): string {
  if (port.protocol === 'UDP') {
    return 'UDP';
  }
  const name = port.appProtocol ?? port.name ?? '';
  const standard: Record<string, string> = { 'kubernetes.io/h2c': 'HTTP2', 'kubernetes.io/ws': 'HTTP', 'kubernetes.io/wss': 'HTTPS' };
  if (port.appProtocol !== undefined && standard[port.appProtocol] !== undefined) {
    return standard[port.appProtocol];
  }
  if (name.toLowerCase().startsWith('grpc-web')) {
    return 'GRPC-WEB';
  }
  const prefix = name.split('-')[0].toLowerCase();
  const known = ['tcp', 'udp', 'grpc', 'http', 'http_proxy', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql'];
  if (known.includes(prefix)) {
    return prefix.toUpperCase();
  }
  return WELL_KNOWN_TCP_PORTS.has(port.port) ? 'TCP' : 'UNSUPPORTED';
}

/** Whether Istio routes a port of this protocol with HTTP rules (its `IsHTTPOrSniffed`): HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC-WEB, or not known (sniffed). */
export function isHttpOrSniffed(protocol: string): boolean {
  return ['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-WEB', 'UNSUPPORTED'].includes(protocol);
}

/** A Kubernetes Service. */
export interface ServiceInfo {
  /** The Service. */
  readonly ref: ObjectRef;
  /** Its fully qualified host name. */
  readonly host: string;
  /** Its selector; `undefined` for a Service whose endpoints are managed elsewhere. */
  readonly selector?: Record<string, string>;
  /** Its own labels (e.g. `istio.io/use-waypoint`). */
  readonly labels: Record<string, string>;
  /** Its ports. */
  readonly ports: ServicePortInfo[];
  /** Namespaces it is visible in (`*` for all), from the `networking.istio.io/exportTo` annotation. */
  readonly exportTo: string[];
}

/** A ServiceEntry. */
export interface ServiceEntryInfo {
  readonly ref: ObjectRef;
  /** Its hosts, exact names or `*.` wildcards. */
  readonly hosts: string[];
  /** Its port numbers. */
  readonly ports: number[];
  /** Namespaces it is visible in (`*` for all). */
  readonly exportTo: string[];
}

/**
 * A Gateway API Gateway or route (`gateway.networking.k8s.io`), of any kind and version, as
 * explain and diagram notice it to warn about what they do not follow (the checks, explain and
 * diagram read `apiGateways`, `httpRoutes` and `otherRoutes`).
 */
export interface GatewayApiInfo {
  readonly ref: ObjectRef;
  /** `hostnames` of a route, `hostname` of each listener of a Gateway; empty means any host. */
  readonly hostnames: string[];
  /** Services a route is attached to (GAMMA mesh routing) or sends requests to, fully qualified. */
  readonly services: string[];
}

/** The Gateway API group. */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** A Gateway API Gateway (`gateway.networking.k8s.io`). */
export interface ApiGatewayInfo {
  readonly ref: ObjectRef;
  /** Its listeners as written. */
  readonly listeners: ListenerJson[];
  /**
   * Its `gatewayClassName`.
   * @default - none written
   */
  readonly gatewayClassName?: string;
  /** Its annotations. */
  readonly annotations: Readonly<Record<string, string>>;
  /** Its `addresses` as written (each `type` and `value`). */
  readonly addresses: ReadonlyArray<{ readonly type?: string; readonly value?: string }>;
}

/** The Gateway API route kinds the checks read. */
export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute';

/** A Gateway API route: an HTTPRoute, GRPCRoute or TLSRoute, whose kind is `ref.kind`. */
export interface RouteInfo<Rule extends BackendRuleJson = BackendRuleJson> {
  readonly ref: ObjectRef;
  /** Its parents as written (Gateways, or Services for mesh routing). */
  readonly parentRefs: ParentRefJson[];
  /** Its hostnames (SNI names for a TLSRoute); none means any host. */
  readonly hostnames: string[];
  /** Its rules as written, in order. */
  readonly rules: Rule[];
}

/** A Gateway API HTTPRoute. */
export type HttpRouteInfo = RouteInfo<RouteRuleJson>;

/** A Gateway API ReferenceGrant: objects of `from` may refer to objects of `to` in its namespace. */
export interface ReferenceGrantInfo {
  readonly ref: ObjectRef;
  readonly from: GrantRefJson[];
  readonly to: GrantRefJson[];
}

/** A pod template (or bare Pod) and how many pods it runs. */
export interface WorkloadInfo {
  /** The workload (or Pod). */
  readonly ref: ObjectRef;
  /** The labels of its pods. */
  readonly labels: Record<string, string>;
  /** Pods it runs; `undefined` for a DaemonSet (one per node). */
  readonly replicas: number | undefined;
  /** Its own selector, when it has one. */
  readonly selector?: LabelSelector;
}

/** A Kubernetes label selector. */
/** A Kubernetes label selector. */
export type LabelSelector = LabelSelectorJson;

/** An Istio Gateway. */
export interface GatewayInfo {
  readonly ref: ObjectRef;
  readonly selector: Record<string, string>;
  readonly servers: Array<{ hosts: string[]; port?: ServerJson['port']; tls?: ServerJson['tls'] }>;
}

/** An Istio VirtualService. */
export interface VirtualServiceInfo {
  readonly ref: ObjectRef;
  readonly hosts: string[];
  /** Gateways as `namespace/name` (pilot's `resolveGatewayName`: `gw.ns.svc.cluster.local` is `ns/gw`), or `mesh`. */
  readonly gateways: string[];
  /** Namespaces the VirtualService is visible in (`*` for all), `.` resolved. */
  readonly exportTo: string[];
  /** Its rules by kind, as written (an item may be missing or not an object). */
  readonly http: Array<HttpRouteJson | undefined>;
  readonly tcp: Array<L4RouteJson | undefined>;
  readonly tls: Array<L4RouteJson | undefined>;
}

/** The three kinds of VirtualService rules. */
export type RuleKind = 'http' | 'tcp' | 'tls';
/** The kinds of rules, in the order they are read. */
export const RULE_KINDS: readonly RuleKind[] = ['http', 'tcp', 'tls'];

/** A destination of a VirtualService rule: a route's, or a mirror's. */
export interface RuleDestination {
  /** The kind of rule. */
  readonly kind: RuleKind;
  /** The rule, 0-based among the rules of its kind. */
  readonly rule: number;
  /** The destination as written. */
  readonly destination: DestinationJson;
  /** Whether it receives mirrored copies (HTTP only). */
  readonly mirror: boolean;
  /** A route's `weight`, as written (routes only). */
  readonly weight?: number;
  /** A mirror's percentage (`mirrorPercentage.value` or the mirror's `percentage.value`), as written (mirrors only). */
  readonly percentage?: number;
}

/**
 * Every destination a VirtualService's HTTP, TCP and TLS rules send requests (or mirrored copies)
 * to: each rule's routes, then its `mirror`, then its `mirrors`; entries without a destination are
 * left out.
 */
export function destinationsOf(vs: VirtualServiceInfo): RuleDestination[] {
  const found: RuleDestination[] = [];
  for (const kind of RULE_KINDS) {
    vs[kind].forEach((rule: RuleJson | undefined, i) => {
      for (const route of Array.isArray(rule?.route) ? rule.route : []) {
        if (route?.destination) {
          found.push({ kind, rule: i, destination: route.destination, mirror: false, weight: route.weight });
        }
      }
      if (kind !== 'http') {
        return;
      }
      const http = rule as HttpRouteJson | undefined;
      if (http?.mirror) {
        found.push({ kind, rule: i, destination: http.mirror, mirror: true, percentage: http.mirrorPercentage?.value });
      }
      for (const mirror of Array.isArray(http?.mirrors) ? http.mirrors : []) {
        if (mirror?.destination) {
          found.push({ kind, rule: i, destination: mirror.destination, mirror: true, percentage: mirror.percentage?.value });
        }
      }
    });
  }
  return found;
}

/** An Istio DestinationRule. */
export interface DestinationRuleInfo {
  readonly ref: ObjectRef;
  /** The host, resolved to a fully qualified name where it names a Service. */
  readonly host: string;
  readonly subsets: Array<{ name: string; labels: Record<string, string> }>;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);
const GATEWAY_API_KINDS = new Set(['Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute']);
/**
 * The annotation that limits where a Service is visible.
 * @see https://istio.io/latest/docs/reference/config/annotations/#NetworkingExportTo
 */
const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

/** Whether `labels` satisfy `selector` (a label map or a full `LabelSelector`). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) {
      return false;
    }
  }
  for (const expr of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, expr.key);
    const inValues = has && (expr.values ?? []).includes(labels[expr.key]);
    const ok = expr.operator === 'In' ? inValues
      : expr.operator === 'NotIn' ? !inValues
        : expr.operator === 'Exists' ? has
          : expr.operator === 'DoesNotExist' ? !has : false;
    if (!ok) {
      return false;
    }
  }
  return true;
}

function refOf(m: Manifest): ObjectRef {
  return { kind: m.kind ?? '?', namespace: m.metadata?.namespace ?? DEFAULT_NAMESPACE, name: m.metadata?.name ?? '?' };
}

function stringMap(value: unknown): Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, string>) } : {};
}

/** The items of a list as written (any of them may be missing or of another type); none for what is not a list. */
function array<T = JsonObject>(value: unknown): Array<T | undefined> {
  return Array.isArray(value) ? value : [];
}

/** The items of a list that are objects. */
function defined<T>(items: Array<T | undefined>): T[] {
  return items.filter((i): i is T => i !== null && typeof i === 'object');
}

/** The index of a set of manifests. */
export class MeshIndex {
  public readonly services = new Map<string, ServiceInfo>();
  public readonly serviceEntries: ServiceEntryInfo[] = [];
  /** Gateway API Gateways and routes of every kind, for the warnings of explain and diagram. */
  public readonly gatewayApi: GatewayApiInfo[] = [];
  /** Gateway API Gateways by `namespace/name`. */
  public readonly apiGateways = new Map<string, ApiGatewayInfo>();
  /** Gateway API HTTPRoutes, in the order given. */
  public readonly httpRoutes: HttpRouteInfo[] = [];
  /**
   * Gateway API GRPCRoutes and TLSRoutes of the versions the checks read, in the order given:
   * `verify` checks them as it checks HTTPRoutes; `explain` and `diagram` follow the GRPCRoutes,
   * not the TLSRoutes (explain names those that take a host).
   */
  public readonly otherRoutes: RouteInfo[] = [];
  /** Gateway API ReferenceGrants. */
  public readonly referenceGrants: ReferenceGrantInfo[] = [];
  public readonly workloads: WorkloadInfo[] = [];
  public readonly gateways = new Map<string, GatewayInfo>();
  public readonly virtualServices: VirtualServiceInfo[] = [];
  public readonly destinationRules: DestinationRuleInfo[] = [];
  /** DestinationRules by resolved host. */
  public readonly destinationRulesByHost = new Map<string, DestinationRuleInfo[]>();
  /**
   * The labels of each Namespace of the manifests, by name, with the `kubernetes.io/metadata.name`
   * label the API server gives every namespace.
   */
  public readonly namespaceLabels = new Map<string, Record<string, string>>();

  private readonly serviceEntriesByHost = new Map<string, ServiceEntryInfo[]>();
  private readonly destinations = new Map<VirtualServiceInfo, RuleDestination[]>();
  // Workloads by namespace, then by `key=value` label: a selector looks at its rarest label only.
  private readonly workloadsByLabel = new Map<string, Map<string, WorkloadInfo[]>>();
  // The same across all namespaces, for selectors that may match anywhere (Gateways).
  private readonly allWorkloadsByLabel = new Map<string, WorkloadInfo[]>();

  public constructor(manifests: readonly Manifest[]) {
    const drs: Manifest[] = [];
    const gatewayApi: Manifest[] = [];
    for (const m of manifests) {
      if (m === null || typeof m !== 'object') {
        continue;
      }
      const group = groupOf(m.apiVersion ?? '');
      const istio = group === 'networking.istio.io';
      if (m.kind === 'Service' && m.apiVersion === 'v1') {
        this.addService(m);
      } else if (m.kind === 'Namespace' && m.apiVersion === 'v1' && typeof m.metadata?.name === 'string') {
        this.namespaceLabels.set(m.metadata.name, { ...stringMap(m.metadata.labels), 'kubernetes.io/metadata.name': m.metadata.name });
      } else if (WORKLOAD_KINDS.has(m.kind ?? '') && group === 'apps') {
        this.addWorkload(refOf(m), stringMap(m.spec?.template?.metadata?.labels), m.kind === 'DaemonSet' ? undefined : m.spec?.replicas ?? 1, m.spec?.selector);
      } else if (m.kind === 'Pod' && m.apiVersion === 'v1') {
        this.addWorkload(refOf(m), stringMap(m.metadata?.labels), 1);
      } else if (istio && m.kind === 'ServiceEntry') {
        const ref = refOf(m);
        this.serviceEntries.push({
          ref,
          hosts: array(m.spec?.hosts).map(String),
          ports: array(m.spec?.ports).map((p) => Number(p?.number)),
          exportTo: resolveExportTo(array(m.spec?.exportTo).map(String), ref.namespace),
        });
      } else if (group === GATEWAY_API_GROUP && GATEWAY_API_KINDS.has(m.kind ?? '')) {
        gatewayApi.push(m);
        this.addGatewayApi(m);
      } else if (group === GATEWAY_API_GROUP && m.kind === 'ReferenceGrant') {
        this.referenceGrants.push({ ref: refOf(m), from: defined(array<GrantRefJson>(m.spec?.from)), to: defined(array<GrantRefJson>(m.spec?.to)) });
      } else if (istio && m.kind === 'Gateway') {
        const ref = refOf(m);
        this.gateways.set(`${ref.namespace}/${ref.name}`, {
          ref, selector: stringMap(m.spec?.selector), servers: array<ServerJson>(m.spec?.servers).map((s) => ({ hosts: array(s?.hosts).map(String), port: s?.port, tls: s?.tls })),
        });
      } else if (istio && m.kind === 'VirtualService') {
        const ref = refOf(m);
        const gateways = array(m.spec?.gateways).map(String);
        this.virtualServices.push({
          ref,
          hosts: array(m.spec?.hosts).map(String),
          // No gateways means the mesh only; names are read as pilot's resolveGatewayName reads them.
          gateways: (gateways.length > 0 ? gateways : [MESH_GATEWAY]).map((g) => resolveGatewayName(g, ref.namespace)),
          exportTo: resolveExportTo(array(m.spec?.exportTo).map(String), ref.namespace),
          http: array<HttpRouteJson>(m.spec?.http),
          tcp: array<L4RouteJson>(m.spec?.tcp),
          tls: array<L4RouteJson>(m.spec?.tls),
        });
      } else if (istio && m.kind === 'DestinationRule') {
        drs.push(m);
      }
    }
    for (const m of drs) {
      const ref = refOf(m);
      const dr: DestinationRuleInfo = {
        ref,
        host: this.resolveHost(String(m.spec?.host ?? ''), ref.namespace),
        subsets: array(m.spec?.subsets).map((s) => ({ name: String(s?.name ?? ''), labels: stringMap(s?.labels) })),
      };
      this.destinationRules.push(dr);
      const list = this.destinationRulesByHost.get(dr.host) ?? [];
      list.push(dr);
      this.destinationRulesByHost.set(dr.host, list);
    }
    for (const m of gatewayApi) {
      this.gatewayApi.push(this.gatewayApiInfo(m));
    }
    for (const se of this.serviceEntries) {
      for (const host of se.hosts) {
        const list = this.serviceEntriesByHost.get(host) ?? [];
        list.push(se);
        this.serviceEntriesByHost.set(host, list);
      }
    }
  }

  private addGatewayApi(m: Manifest): void {
    const ref = refOf(m);
    if (m.kind === 'Gateway') {
      this.apiGateways.set(`${ref.namespace}/${ref.name}`, {
        ref,
        listeners: defined(array<ListenerJson>(m.spec?.listeners)),
        ...(typeof m.spec?.gatewayClassName === 'string' ? { gatewayClassName: m.spec.gatewayClassName } : {}),
        annotations: stringMap(m.metadata?.annotations),
        addresses: defined(array<{ type?: string; value?: string }>(m.spec?.addresses)),
      });
    } else if (m.kind === 'HTTPRoute') {
      this.httpRoutes.push({
        ref,
        parentRefs: defined(array<ParentRefJson>(m.spec?.parentRefs)),
        hostnames: array(m.spec?.hostnames).map(String),
        rules: defined(array<RouteRuleJson>(m.spec?.rules)),
      });
    } else if ((m.kind === 'GRPCRoute' || m.kind === 'TLSRoute') && isVerifiedKind(m)) {
      // Only the served versions: the shape of others is not checked.
      this.otherRoutes.push({
        ref,
        parentRefs: defined(array<ParentRefJson>(m.spec?.parentRefs)),
        hostnames: array(m.spec?.hostnames).map(String),
        rules: defined(array<BackendRuleJson>(m.spec?.rules)),
      });
    }
  }

  private gatewayApiInfo(m: Manifest): GatewayApiInfo {
    const ref = refOf(m);
    if (m.kind === 'Gateway') {
      const listeners = array(m.spec?.listeners);
      const hostnames = listeners.map((l) => l?.hostname);
      // A listener without a hostname takes any host.
      return { ref, hostnames: hostnames.includes(undefined) ? [] : hostnames.map(String), services: [] };
    }
    const serviceOf = (r: { readonly kind?: unknown; readonly group?: unknown; readonly name?: unknown; readonly namespace?: unknown } | undefined) => (r?.kind ?? 'Service') === 'Service' && (r?.group ?? '') === '' && r?.name !== undefined
      ? [this.resolveHost(String(r.name), String(r.namespace ?? ref.namespace))] : [];
    return {
      ref,
      hostnames: array(m.spec?.hostnames).map(String),
      services: [...new Set([
        ...array(m.spec?.parentRefs).flatMap((p) => (p?.kind === 'Service' ? serviceOf(p) : [])),
        ...array(m.spec?.rules).flatMap((r) => array(r?.backendRefs).flatMap(serviceOf)),
        // Services that RequestMirror filters copy requests to.
        ...array(m.spec?.rules).flatMap((r) => array<RouteFilterJson>(r?.filters)
          .flatMap((f) => (f?.type === 'RequestMirror' ? serviceOf(f.requestMirror?.backendRef) : []))),
      ])],
    };
  }

  /**
   * The host that Istio makes of `host` written in an object of namespace `namespace` (a
   * VirtualService's hosts and destinations, a DestinationRule's host), as pilot's
   * `ResolveShortnameToFQDN` does: a short name (no dot) is a Service of that namespace
   * (`name.namespace.svc.cluster.local`); a name with a dot stays as it is, so `website.default`
   * and `website.default.svc` name no Service (see `expansionOf`).
   */
  public resolveHost(host: string, namespace: string): string {
    return configHost(host, namespace);
  }

  /**
   * The host that a request for `host` from a pod of namespace `namespace` is for, as the sidecar
   * routes it: besides the short name and the full name, a Service answers to `name.ns` and
   * `name.ns.svc` (the names a pod's DNS search path resolves, which Istio lists among the
   * domains of the Service's virtual host).
   */
  public requestHost(host: string, namespace: string): string {
    return this.expansionOf(host)?.host ?? configHost(host, namespace);
  }

  /**
   * The Service that `host`, a name with a dot that Istio takes as it is, would be if it were
   * expanded (`website.default` and `website.default.svc` → `website.default.svc.cluster.local`):
   * only when no Service or ServiceEntry has `host` itself and that Service exists.
   */
  public expansionOf(host: string): ServiceInfo | undefined {
    const parts = host.split('.');
    const expanded = parts.length === 2 ? `${host}.${CLUSTER_SUFFIX}` : parts.length === 3 && parts[2] === 'svc' ? `${host}.cluster.local` : undefined;
    if (expanded === undefined || this.services.has(host) || this.serviceEntriesFor(host).length > 0) {
      return undefined;
    }
    return this.services.get(expanded);
  }

  /**
   * Every destination the VirtualService's rules send requests (or mirrored copies) to, in the
   * order of its rules (the list is shared: do not change it).
   */
  public destinationsOf(vs: VirtualServiceInfo): readonly RuleDestination[] {
    let found = this.destinations.get(vs);
    if (found === undefined) {
      found = destinationsOf(vs);
      this.destinations.set(vs, found);
    }
    return found;
  }

  /**
   * The ServiceEntries that declare `host`, exactly or by a `*.` wildcard, visible in at least one
   * of `namespaces` (any namespace when not given).
   */
  public serviceEntriesFor(host: string, namespaces?: readonly string[]): ServiceEntryInfo[] {
    const names = [host];
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      names.push(`*${host.slice(dot)}`);
    }
    return names.flatMap((name) => this.serviceEntriesByHost.get(name) ?? [])
      .filter((se) => namespaces === undefined || namespaces.some((ns) => visibleIn(se.exportTo, ns)));
  }

  /** Workloads of `namespace` whose pod labels satisfy every selector given. */
  public workloadsMatching(namespace: string, ...selectors: Array<Record<string, string>>): WorkloadInfo[] {
    const byLabel = this.workloadsByLabel.get(namespace);
    return byLabel === undefined ? [] : MeshIndex.matching(byLabel, selectors);
  }

  /** Workloads of any namespace whose pod labels satisfy every selector given. */
  public workloadsMatchingAnywhere(...selectors: Array<Record<string, string>>): WorkloadInfo[] {
    return MeshIndex.matching(this.allWorkloadsByLabel, selectors);
  }

  private static matching(byLabel: Map<string, WorkloadInfo[]>, selectors: Array<Record<string, string>>): WorkloadInfo[] {
    const required = Object.assign({}, ...selectors) as Record<string, string>;
    const pairs = Object.entries(required);
    if (pairs.length === 0) {
      return [];
    }
    let candidates: WorkloadInfo[] | undefined;
    for (const [key, value] of pairs) {
      const list = byLabel.get(`${key}=${value}`) ?? [];
      if (candidates === undefined || list.length < candidates.length) {
        candidates = list;
      }
    }
    return (candidates ?? []).filter((w) => selectorMatches({ matchLabels: required }, w.labels));
  }

  /**
   * The workloads whose pods a destination reaches: the Service's selector plus the subset's
   * labels; none when the host is not a Service with a selector or the subset is not defined.
   */
  public workloadsBehind(host: string, subset: string | undefined): WorkloadInfo[] {
    const service = this.services.get(host);
    if (service?.selector === undefined) {
      return [];
    }
    const labels = subset === undefined ? {}
      : (this.destinationRulesByHost.get(host) ?? []).flatMap((dr) => dr.subsets).find((s) => s.name === subset)?.labels;
    return labels === undefined ? [] : this.workloadsMatching(service.ref.namespace, service.selector, labels);
  }

  private addService(m: Manifest): void {
    const ref = refOf(m);
    const host = serviceHost(ref.name, ref.namespace);
    const selector = m.spec?.selector;
    const exportTo = m.metadata?.annotations?.[EXPORT_TO_ANNOTATION];
    this.services.set(host, {
      ref,
      host,
      selector: selector === undefined ? undefined : stringMap(selector),
      labels: stringMap(m.metadata?.labels),
      ports: array<ServicePortJson>(m.spec?.ports).map((p) => ({ name: p?.name, port: Number(p?.port), appProtocol: p?.appProtocol, ...(typeof p?.protocol === 'string' ? { protocol: p.protocol } : {}) })),
      exportTo: resolveExportTo(typeof exportTo === 'string' ? exportTo.split(',').map((e) => e.trim()).filter((e) => e !== '') : [], ref.namespace),
    });
  }

  private addWorkload(ref: ObjectRef, labels: Record<string, string>, replicas: number | undefined, selector?: LabelSelector): void {
    const workload: WorkloadInfo = { ref, labels, replicas: replicas === undefined ? undefined : Number(replicas), selector };
    this.workloads.push(workload);
    let byLabel = this.workloadsByLabel.get(ref.namespace);
    if (byLabel === undefined) {
      byLabel = new Map();
      this.workloadsByLabel.set(ref.namespace, byLabel);
    }
    for (const [key, value] of Object.entries(labels)) {
      for (const map of [byLabel, this.allWorkloadsByLabel]) {
        const list = map.get(`${key}=${value}`) ?? [];
        list.push(workload);
        map.set(`${key}=${value}`, list);
      }
    }
  }
}
