/**
 * An index over plain manifest objects (what `kubectl apply` receives), by host and by label, so
 * that every check is a lookup rather than a scan of all pairs.
 */

/** A manifest as parsed from YAML or synthesized; only the fields the checks read are typed. */
export interface Manifest {
  /** `v1`, `apps/v1`, `networking.istio.io/v1`... */
  readonly apiVersion?: string;
  /** The kind. */
  readonly kind?: string;
  /** Name, namespace (`default` when absent) and labels. */
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  /** The spec, as written. */
  readonly spec?: any;
}

/** Identifies an object in messages and findings. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The namespace objects without one are applied to. */
export const DEFAULT_NAMESPACE = 'default';
const CLUSTER_SUFFIX = 'svc.cluster.local';

/** A Service port. */
export interface ServicePortInfo {
  /** The port's name, if any. */
  readonly name?: string;
  /** The port number. */
  readonly port: number;
  /** The port's `appProtocol`, if any. */
  readonly appProtocol?: string;
}

/** A Kubernetes Service. */
export interface ServiceInfo {
  /** The Service. */
  readonly ref: ObjectRef;
  /** Its fully qualified host name. */
  readonly host: string;
  /** Its selector; `undefined` for a Service whose endpoints are managed elsewhere. */
  readonly selector?: Record<string, string>;
  /** Its ports. */
  readonly ports: ServicePortInfo[];
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
export interface LabelSelector {
  /** Labels that must all be present with these values. */
  readonly matchLabels?: Record<string, string>;
  /** `In`, `NotIn`, `Exists` and `DoesNotExist` conditions. */
  readonly matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** An Istio Gateway. */
export interface GatewayInfo {
  readonly ref: ObjectRef;
  readonly selector: Record<string, string>;
  readonly servers: Array<{ hosts: string[]; port?: { number?: number; name?: string; protocol?: string }; tls?: any }>;
}

/** An Istio VirtualService. */
export interface VirtualServiceInfo {
  readonly ref: ObjectRef;
  readonly hosts: string[];
  /** Gateways as `namespace/name`, or `mesh`. */
  readonly gateways: string[];
  readonly http: any[];
}

/** An Istio DestinationRule. */
export interface DestinationRuleInfo {
  readonly ref: ObjectRef;
  /** The host, resolved to a fully qualified name where it names a Service. */
  readonly host: string;
  readonly subsets: Array<{ name: string; labels: Record<string, string> }>;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

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

function array(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** The index of a set of manifests. */
export class MeshIndex {
  public readonly services = new Map<string, ServiceInfo>();
  /** Hosts declared by ServiceEntries (exact names and `*.` wildcards). */
  public readonly serviceEntryHosts = new Set<string>();
  public readonly workloads: WorkloadInfo[] = [];
  public readonly gateways = new Map<string, GatewayInfo>();
  public readonly virtualServices: VirtualServiceInfo[] = [];
  public readonly destinationRules: DestinationRuleInfo[] = [];
  /** DestinationRules by resolved host. */
  public readonly destinationRulesByHost = new Map<string, DestinationRuleInfo[]>();

  // Workloads by namespace, then by `key=value` label: a selector looks at its rarest label only.
  private readonly workloadsByLabel = new Map<string, Map<string, WorkloadInfo[]>>();

  public constructor(manifests: readonly Manifest[]) {
    const drs: Manifest[] = [];
    for (const m of manifests) {
      if (m === null || typeof m !== 'object') {
        continue;
      }
      const group = (m.apiVersion ?? '').split('/')[0];
      const istio = group === 'networking.istio.io';
      if (m.kind === 'Service' && m.apiVersion === 'v1') {
        this.addService(m);
      } else if (WORKLOAD_KINDS.has(m.kind ?? '') && group === 'apps') {
        this.addWorkload(refOf(m), stringMap(m.spec?.template?.metadata?.labels), m.kind === 'DaemonSet' ? undefined : m.spec?.replicas ?? 1, m.spec?.selector);
      } else if (m.kind === 'Pod' && m.apiVersion === 'v1') {
        this.addWorkload(refOf(m), stringMap(m.metadata?.labels), 1);
      } else if (istio && m.kind === 'ServiceEntry') {
        array(m.spec?.hosts).forEach((h) => this.serviceEntryHosts.add(String(h)));
      } else if (istio && m.kind === 'Gateway') {
        const ref = refOf(m);
        this.gateways.set(`${ref.namespace}/${ref.name}`, {
          ref, selector: stringMap(m.spec?.selector), servers: array(m.spec?.servers).map((s) => ({ hosts: array(s?.hosts).map(String), port: s?.port, tls: s?.tls })),
        });
      } else if (istio && m.kind === 'VirtualService') {
        const ref = refOf(m);
        const gateways = array(m.spec?.gateways).map(String);
        this.virtualServices.push({
          ref,
          hosts: array(m.spec?.hosts).map(String),
          // No gateways means the mesh only.
          gateways: (gateways.length > 0 ? gateways : ['mesh']).map((g) => (g === 'mesh' || g.includes('/') ? g : `${ref.namespace}/${g}`)),
          http: array(m.spec?.http),
        });
      } else if (istio && m.kind === 'DestinationRule') {
        drs.push(m);
      }
    }
    // Resolved once every Service is known, since a host like `website.default` is a Service's
    // name only if that Service exists.
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
  }

  /**
   * The fully qualified name of `host` as written in an object of namespace `namespace`: a short
   * name is a Service of that namespace, `name.ns` and `name.ns.svc` are the Service `name` of
   * `ns`; other names stay as they are.
   */
  public resolveHost(host: string, namespace: string): string {
    if (host.includes('*')) {
      return host;
    }
    const parts = host.split('.');
    if (parts.length === 1) {
      return `${host}.${namespace}.${CLUSTER_SUFFIX}`;
    }
    if (parts.length === 2 && this.services.has(`${host}.${CLUSTER_SUFFIX}`)) {
      return `${host}.${CLUSTER_SUFFIX}`;
    }
    if (parts.length === 3 && parts[2] === 'svc') {
      return `${host}.cluster.local`;
    }
    return host;
  }

  /** Whether a ServiceEntry declares `host`. */
  public serviceEntryDeclares(host: string): boolean {
    if (this.serviceEntryHosts.has(host)) {
      return true;
    }
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      if (this.serviceEntryHosts.has(`*${host.slice(dot)}`)) {
        return true;
      }
    }
    return false;
  }

  /** Workloads of `namespace` whose pod labels satisfy every selector given. */
  public workloadsMatching(namespace: string, ...selectors: Array<Record<string, string>>): WorkloadInfo[] {
    const required = Object.assign({}, ...selectors) as Record<string, string>;
    const byLabel = this.workloadsByLabel.get(namespace);
    if (byLabel === undefined) {
      return [];
    }
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

  /** Namespaces that hold at least one workload. */
  public namespaces(): string[] {
    return [...this.workloadsByLabel.keys()];
  }

  private addService(m: Manifest): void {
    const ref = refOf(m);
    const host = `${ref.name}.${ref.namespace}.${CLUSTER_SUFFIX}`;
    const selector = m.spec?.selector;
    this.services.set(host, {
      ref,
      host,
      selector: selector === undefined ? undefined : stringMap(selector),
      ports: array(m.spec?.ports).map((p) => ({ name: p?.name, port: Number(p?.port), appProtocol: p?.appProtocol })),
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
      const list = byLabel.get(`${key}=${value}`) ?? [];
      list.push(workload);
      byLabel.set(`${key}=${value}`, list);
    }
  }
}
