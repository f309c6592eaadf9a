/**
 * The checks of the mesh verification. Each reads the index and returns findings; none compares
 * all pairs of objects: objects are grouped by host (or by selector and port) first, and only the
 * few objects of one group are compared with each other.
 */
import { hostServes, hostsOverlap } from '../model/hosts';
import { lookUpDelegate, rootsByDelegate } from './delegates';
import { CODES, Finding, FindingCode, Severity } from './findings';
import { isCatchAll, l4MatchCovers, matchCovers, matchKey } from './http-match';
import { serverHostsFor } from './gateway-hosts';
import { DestinationJson, HttpRouteJson, MatchJson, RuleJson } from './json';
import {
  ALL_NAMESPACES, configHost, GatewayInfo, MeshIndex, ObjectRef, RULE_KINDS, RuleDestination, RuleKind, selectorMatches, ServiceInfo, servicePortProtocol, VirtualServiceInfo,
  visibleIn,
} from './manifests';
import { MESH_GATEWAY } from '../model/names';
import { subsetNameProblem } from './istio-validation';
import { isObject } from './rule-answers';

/**
 * Labels that Istio gives an endpoint from the node its pod runs on (locality and host name), not
 * from the pod template: a subset may select on them, and manifests cannot tell which pods have
 * them, so they are left out when a subset's pods are looked for.
 * @see https://istio.io/latest/docs/reference/config/labels/
 */
export const NODE_LABELS = new Set([
  'topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone', 'kubernetes.io/hostname',
  'topology.istio.io/cluster', 'topology.istio.io/network',
]);

/** Builds a finding with the code's default severity unless told otherwise. */
export function finding(code: FindingCode, ref: ObjectRef, message: string, severity?: Severity): Finding {
  const known = CODES[code];
  return {
    severity: severity ?? known.severity,
    code,
    ...(known.istioCode !== undefined ? { istioCode: known.istioCode } : {}),
    kind: ref.kind,
    namespace: ref.namespace,
    name: ref.name,
    message,
  };
}

function ref(r: ObjectRef): string {
  return `${r.kind} ${r.namespace}/${r.name}`;
}

/** `http rule 2 ("canary")`, `tcp rule 1`. */
export function ruleLabel(vs: VirtualServiceInfo, kind: RuleKind, index: number): string {
  const name = vs[kind][index]?.name;
  return `${kind} rule ${index + 1}${typeof name === 'string' ? ` ("${name}")` : ''}`;
}

/**
 * The namespaces of the workloads a Gateway's selector picks in the manifests (its proxies run
 * there), or `undefined` when the manifests hold none (an ingress gateway installed apart).
 */
export function gatewayProxyNamespaces(index: MeshIndex, gateway: string): string[] | undefined {
  const known = proxyNamespaces.get(index) ?? new Map<string, string[] | undefined>();
  proxyNamespaces.set(index, known);
  if (!known.has(gateway)) {
    const selector = index.gateways.get(gateway)?.selector;
    const namespaces = selector === undefined || Object.keys(selector).length === 0 ? [] : [...new Set(index.workloadsMatchingAnywhere(selector).map((w) => w.ref.namespace))];
    known.set(gateway, namespaces.length === 0 ? undefined : namespaces);
  }
  return known.get(gateway);
}

/** The proxies' namespaces of each Gateway, looked up once per index (which does not change). */
const proxyNamespaces = new WeakMap<MeshIndex, Map<string, string[] | undefined>>();

/**
 * The namespaces whose proxies apply `vs`, and so must see the Services it routes to: for the
 * mesh, the namespaces it is exported to (its own where it is exported to all); for each Gateway
 * it is bound to, the namespaces of the Gateway's proxies it is exported to (pilot's
 * `VirtualServicesForGateway` and `IsServiceVisible` judge from the proxy's namespace), or its own
 * namespace when the manifests do not hold the Gateway's proxies.
 */
function applyingNamespaces(index: MeshIndex, vs: VirtualServiceInfo): string[] {
  if (vs.hosts.length === 0) {
    // A delegate applies only through the roots that delegate to it, where they apply.
    return [...new Set((rootsByDelegate(index.virtualServices).get(vs) ?? []).flatMap((root) => applyingNamespaces(index, root)))];
  }
  const own = vs.exportTo.includes(ALL_NAMESPACES) ? [vs.ref.namespace] : vs.exportTo;
  return [...new Set(vs.gateways.flatMap((g) => {
    if (g === MESH_GATEWAY) {
      return own;
    }
    const proxies = gatewayProxyNamespaces(index, g);
    return proxies === undefined ? [vs.ref.namespace] : proxies.filter((ns) => visibleIn(vs.exportTo, ns));
  }))];
}

/**
 * Rules that delegate (`delegate`) to a VirtualService istiod does not use: one that does not
 * exist, one with hosts (not a delegate), one not exported to the root's namespace. istiod then
 * leaves the rule out (pilot's `mergeVirtualServices`), and its requests go to the next rules.
 */
export function checkDelegates(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  // istiod merges delegates only into VirtualServices with hosts; a delegate that delegates is refused by its validation.
  for (const vs of index.virtualServices.filter((v) => v.hosts.length > 0)) {
    vs.http.forEach((rule, i) => {
      const lookup = lookUpDelegate(index.virtualServices, vs, rule);
      if (lookup?.problem === undefined) {
        return;
      }
      const target = `VirtualService ${lookup.namespace}/${lookup.name}`;
      const dropped = 'istiod leaves the rule out, and its requests go to the rules after it (or get 404)';
      const label = ruleLabel(vs, 'http', i);
      if (lookup.problem === 'missing') {
        findings.push(finding('delegate-not-found', vs.ref, `${label} delegates to ${target}, which does not exist; ${dropped}: define the delegate (a VirtualService without hosts) or fix delegate.name${rule?.delegate?.namespace === undefined ? ` (without delegate.namespace it is looked up in ${vs.ref.namespace})` : ' and delegate.namespace'}`));
      } else if (lookup.problem === 'has-hosts') {
        findings.push(finding('delegate-has-hosts', vs.ref, `${label} delegates to ${target}, which has hosts: istiod takes only a VirtualService without hosts as a delegate, so ${dropped}; remove its hosts and gateways, or delegate to another`));
      } else {
        findings.push(finding('delegate-not-exported', vs.ref, `${label} delegates to ${target}, which is exported only to ${namespacesText(lookup.delegate?.exportTo ?? [])}, not to ${vs.ref.namespace}; ${dropped}: add ${vs.ref.namespace} to its spec.exportTo, or leave exportTo out`));
      }
    });
  }
  return findings;
}

/** Whether a Service (or ServiceEntry) exported to `exportTo` can be used where the VirtualService applies. */
function usableBy(exportTo: readonly string[], applying: readonly string[]): boolean {
  // A VirtualService no proxy applies routes nothing: virtualservice-not-exported says so.
  return applying.length === 0 || applying.some((ns) => visibleIn(exportTo, ns));
}

/**
 * A VirtualService bound to a Gateway whose proxies (in the manifests) run in namespaces it is not
 * exported to: pilot gives a gateway proxy only the VirtualServices exported to its namespace, so
 * the gateway has none of its routes and answers 404 for its hosts.
 */
export function checkGatewayExports(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  // A delegate (no hosts) is bound to no gateway by itself: its roots are.
  for (const vs of index.virtualServices.filter((v) => v.hosts.length > 0)) {
    for (const g of vs.gateways.filter((name) => name !== MESH_GATEWAY)) {
      const proxies = gatewayProxyNamespaces(index, g);
      if (proxies !== undefined && !proxies.some((ns) => visibleIn(vs.exportTo, ns))) {
        findings.push(finding('virtualservice-not-exported', vs.ref, `is bound to Gateway ${g}, whose proxies run in ${namespacesText(proxies)}, but it is exported only to ${namespacesText(vs.exportTo)}: the gateway never gets its routes and answers 404 for its hosts; add ${proxies.join(', ')} to spec.exportTo, or leave exportTo out`));
      }
    }
  }
  return findings;
}

function where(vs: VirtualServiceInfo, d: RuleDestination): string {
  return `${ruleLabel(vs, d.kind, d.rule)}${d.mirror ? ' mirrors to' : ' routes to'}`;
}

/** `host "written"`, with the host Istio makes of it when that differs. */
function hostText(written: string, host: string): string {
  return `host "${written}"${host === written ? '' : ` (${host})`}`;
}

function namespacesText(exportTo: readonly string[]): string {
  return exportTo.length === 1 ? `namespace ${exportTo[0]}` : `namespaces ${exportTo.join(', ')}`;
}

/** Destination hosts, subsets and ports must exist and be visible to the VirtualService: IST0101, IST0112. */
export function checkDestinations(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  for (const vs of index.virtualServices) {
    const applying = applyingNamespaces(index, vs);
    const applies = namespacesText(applying);
    for (const d of index.destinationsOf(vs)) {
      const { destination } = d;
      const written = String(destination.host ?? '');
      const host = index.resolveHost(written, vs.ref.namespace);
      const service = index.services.get(host);
      const usableService = service !== undefined && usableBy(service.exportTo, applying) ? service : undefined;
      // ServiceEntries are looked up only for hosts that are not a usable Service.
      const entries = usableService === undefined ? index.serviceEntriesFor(host) : [];
      const usableEntry = entries.find((se) => usableBy(se.exportTo, applying));
      if (usableService === undefined && usableEntry === undefined) {
        const hidden = service ?? entries[0];
        findings.push(hidden === undefined
          ? finding('unknown-host', vs.ref, written === ''
            ? `${where(vs, d)} a destination without a host; set destination.host to a Service or ServiceEntry host`
            : `${where(vs, d)} ${hostText(written, host)}, which matches no Service or ServiceEntry; ${expansionHint(index, written) ?? 'define the Service or fix the host'}`)
          : finding('host-not-exported', vs.ref, `${where(vs, d)} ${hostText(written, host)}, but ${ref(hidden.ref)} is exported only to ${namespacesText(hidden.exportTo)}, not to ${applies} where this VirtualService applies; export it there (${service !== undefined ? 'annotation networking.istio.io/exportTo' : 'spec.exportTo'}) or route elsewhere`));
      }
      if (destination.subset !== undefined) {
        findings.push(...checkDestinationSubset(index, vs, d, host));
      }
      if (usableService !== undefined) {
        findings.push(...checkDestinationPort(vs, d, usableService.ref, usableService.ports.map((p) => p.port), destination));
      } else if (usableEntry !== undefined) {
        findings.push(...checkDestinationPort(vs, d, usableEntry.ref, usableEntry.ports, destination));
      }
    }
  }
  return findings;
}

/**
 * What to write instead of `written`, a name with a dot that Istio takes as it is (pilot's
 * `ResolveShortnameToFQDN` completes only names without a dot) but that would be a Service's
 * name if it were expanded.
 */
function expansionHint(index: MeshIndex, written: string): string | undefined {
  const service = index.expansionOf(written);
  return service === undefined
    ? undefined
    : `Istio completes only a name without a dot, so "${written}" is not ${ref(service.ref)}: write "${service.host}" (or "${service.ref.name}" from namespace ${service.ref.namespace})`;
}

/**
 * DestinationRule hosts and in-mesh VirtualService hosts written as `name.namespace` or
 * `name.namespace.svc`: Istio takes them as they are, so they name no Service, and the
 * DestinationRule's subsets and policy apply to nothing, the VirtualService routes no in-mesh call
 * to the Service it seems to name (pilot's `separateVSHostsAndServices` keeps it for a host outside
 * the registry).
 */
export function checkUnexpandedHosts(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  for (const dr of index.destinationRules) {
    const hint = expansionHint(index, dr.host);
    if (hint !== undefined) {
      findings.push(finding('unexpanded-host', dr.ref, `host "${dr.host}" names no Service, so its subsets and traffic policy apply to nothing and every route to its subsets fails with 503; ${hint}`));
    }
  }
  for (const vs of index.virtualServices.filter((v) => v.gateways.includes(MESH_GATEWAY))) {
    for (const written of vs.hosts) {
      const hint = expansionHint(index, written);
      if (hint !== undefined) {
        findings.push(finding('unexpanded-host', vs.ref, `host "${written}" names no Service, so in-mesh calls to the Service are not routed by this VirtualService; ${hint}`));
      }
    }
  }
  return findings;
}

function checkDestinationSubset(index: MeshIndex, vs: VirtualServiceInfo, d: RuleDestination, host: string): Finding[] {
  const rules = index.destinationRulesByHost.get(host) ?? [];
  const subsets = rules.flatMap((dr) => dr.subsets.map((s) => s.name));
  if (subsets.some((name) => name === d.destination.subset)) {
    return [];
  }
  const unexpanded = rules.length === 0 ? index.destinationRules.filter((dr) => index.expansionOf(dr.host)?.host === host) : [];
  const defined = rules.length === 0
    ? `no DestinationRule defines subsets for host ${host}${unexpanded.length > 0 ? ` (${unexpanded.map((dr) => `${ref(dr.ref)} is for host "${dr.host}", which Istio does not expand`).join('; ')})` : ''}`
    : `${rules.map((dr) => ref(dr.ref)).join(' and ')} does not define it (it defines ${subsets.map((s) => `"${s}"`).join(', ') || 'no subsets'})`;
  return [finding('unknown-subset', vs.ref, `${where(vs, d)} subset "${d.destination.subset}" of host ${host}, but ${defined}; every request this route takes fails with 503 until the subset exists: add the subset to the DestinationRule before routing to it`)];
}

function checkDestinationPort(vs: VirtualServiceInfo, d: RuleDestination, owner: ObjectRef, ports: number[], destination: DestinationJson): Finding[] {
  const port = destination.port?.number;
  if (port === undefined) {
    return ports.length > 1
      ? [finding('destination-port-required', vs.ref, `${where(vs, d)} ${ref(owner)}, which has ${ports.length} ports (${ports.join(', ')}), without a port; set destination.port.number`)]
      : [];
  }
  return ports.includes(port)
    ? []
    : [finding('unknown-destination-port', vs.ref, `${where(vs, d)} port ${port} of ${ref(owner)}, which only has ports ${ports.join(', ') || 'none'}`)];
}

/** The host part of a Gateway server host (`namespace/host` or `host`). */
function serverHostName(serverHost: string): string {
  return serverHost.slice(serverHost.indexOf('/') + 1);
}

/**
 * The VirtualService hosts (as written) that one of the Gateway's servers takes: where the
 * server's hosts for the VirtualService's namespace meet the host as pilot completes it
 * (`ResolveVirtualServiceShortnames` runs on every VirtualService, so `shop` in namespace `shop`
 * is `shop.shop.svc.cluster.local` on a gateway too).
 */
function hostsServedBy(gateway: GatewayInfo, vs: VirtualServiceInfo): string[] {
  const serverHosts = gateway.servers.flatMap((s) => serverHostsFor(s, gateway.ref.namespace, vs.ref.namespace));
  return vs.hosts.filter((h) => serverHosts.some((sh) => hostsOverlap(sh, configHost(h, vs.ref.namespace))));
}

/** `"shop" (shop.shop.svc.cluster.local)`, or `"shop.example.com"`: a VirtualService host as written, and as pilot completes it when that differs. */
function vsHostText(written: string, namespace: string): string {
  const completed = configHost(written, namespace);
  return `"${written}"${completed === written ? '' : ` (${completed})`}`;
}

/** Gateways must exist and serve the hosts; `*` must not be bound to the mesh: IST0101, IST0132. */
export function checkGateways(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  // A delegate (no hosts) is bound to no gateway by itself (Istio's validation refuses gateways on it): its roots are.
  for (const vs of index.virtualServices.filter((v) => v.hosts.length > 0)) {
    const onMesh = vs.gateways.includes(MESH_GATEWAY);
    if (onMesh && vs.hosts.includes('*')) {
      findings.push(finding('wildcard-host-on-mesh', vs.ref, 'host "*" cannot be bound to the mesh gateway (Istio rejects it: it would capture every in-mesh call); name the hosts, or bind the VirtualService to ingress gateways only'));
    }
    const served = new Set<string>();
    let serving = 0;
    for (const name of vs.gateways.filter((g) => g !== MESH_GATEWAY)) {
      const gateway = index.gateways.get(name);
      if (gateway === undefined) {
        findings.push(finding('unknown-gateway', vs.ref, `gateways names "${name}", which is not defined; define Gateway ${name} or fix the name (a name without a namespace is looked up in ${vs.ref.namespace})`));
        continue;
      }
      const hosts = hostsServedBy(gateway, vs);
      hosts.forEach((h) => served.add(h));
      if (hosts.length > 0) {
        serving++;
      } else {
        // As istioctl: a gateway that serves none of the hosts; each host needs only one of the gateways.
        findings.push(finding('host-not-in-gateway', vs.ref, `${vs.hosts.length === 1 ? 'host' : 'hosts'} ${vs.hosts.map((h) => vsHostText(h, vs.ref.namespace)).join(', ')} ${vs.hosts.length === 1 ? 'is' : 'are'} not served by ${ref(gateway.ref)} (its servers take ${gateway.servers.flatMap((s) => s.hosts).join(', ') || 'no hosts'} for namespace ${vs.ref.namespace}); requests for them through that gateway never reach this VirtualService`));
      }
    }
    // Hosts meant for the mesh need not be on a gateway; others that no gateway serves are dead.
    const unserved = vs.hosts.filter((h) => !served.has(h));
    if (!onMesh && serving > 0 && unserved.length > 0) {
      findings.push(finding('host-on-no-gateway', vs.ref, `${unserved.length === 1 ? 'host' : 'hosts'} ${unserved.map((h) => vsHostText(h, vs.ref.namespace)).join(', ')} ${unserved.length === 1 ? 'is' : 'are'} served by none of the VirtualService's gateways (${vs.gateways.join(', ')}) and it is not bound to the mesh, so no request for ${unserved.length === 1 ? 'it' : 'them'} reaches it`));
    }
  }
  return findings;
}

/** DestinationRule subsets: valid, unique names that select running pods: IST0173. */
export function checkSubsets(index: MeshIndex): Finding[] {
  const routed = new Set<string>();
  for (const vs of index.virtualServices) {
    for (const { destination } of index.destinationsOf(vs)) {
      if (destination.subset !== undefined) {
        routed.add(`${index.resolveHost(String(destination.host ?? ''), vs.ref.namespace)}#${destination.subset}`);
      }
    }
  }
  const findings: Finding[] = [];
  for (const dr of index.destinationRules) {
    const seen = new Set<string>();
    const service = index.services.get(dr.host);
    for (const subset of dr.subsets) {
      if (seen.has(subset.name)) {
        findings.push(finding('duplicate-subset', dr.ref, `subset "${subset.name}" is defined twice; Istio keeps only one of them`));
      }
      seen.add(subset.name);
      if (subsetNameProblem(subset.name) !== undefined) {
        findings.push(finding('invalid-subset-name', dr.ref, `subset name "${subset.name}" must be a DNS-1123 label (at most 63 lower-case letters, digits and "-")`));
      }
      if (service?.selector === undefined || Object.keys(service.selector).length === 0) {
        continue; // a ServiceEntry, or a Service whose endpoints are managed by hand
      }
      const podLabels = Object.fromEntries(Object.entries(subset.labels).filter(([k]) => !NODE_LABELS.has(k)));
      const pods = index.workloadsMatching(service.ref.namespace, service.selector, podLabels);
      const isRouted = routed.has(`${dr.host}#${subset.name}`);
      if (pods.length === 0) {
        const labels = Object.entries({ ...service.selector, ...podLabels }).map(([k, v]) => `${k}=${v}`).join(',');
        findings.push(finding('subset-selects-no-pods', dr.ref, `subset "${subset.name}" selects no pods: no pod template in namespace ${service.ref.namespace} has the labels ${labels} (the Service's selector and the subset's labels)${isRouted ? '; requests routed to it fail with 503' : ''}`, isRouted ? Severity.ERROR : Severity.WARNING));
      } else if (pods.every((p) => p.replicas === 0)) {
        findings.push(finding('subset-scaled-to-zero', dr.ref, `subset "${subset.name}" selects only ${pods.map((p) => ref(p.ref)).join(', ')}, scaled to 0 replicas${isRouted ? '; requests routed to it fail with 503' : ''}`));
      }
    }
  }
  return findings;
}

/** Whether objects exported to `a` and to `b` are both visible in some namespace. */
function exportsOverlap(a: readonly string[], b: readonly string[]): boolean {
  return a.includes(ALL_NAMESPACES) || b.includes(ALL_NAMESPACES) || a.some((ns) => b.includes(ns));
}

/**
 * One VirtualService per host on the mesh in any namespace (IST0109, on each of them), one
 * DestinationRule per host, one Gateway per selector, port and host (IST0145).
 */
export function checkConflicts(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  const meshOwners = new Map<string, VirtualServiceInfo[]>();
  for (const vs of index.virtualServices.filter((v) => v.gateways.includes(MESH_GATEWAY))) {
    for (const host of new Set(vs.hosts.map((h) => index.resolveHost(h, vs.ref.namespace)))) {
      const owners = meshOwners.get(host) ?? [];
      owners.push(vs);
      meshOwners.set(host, owners);
    }
  }
  for (const [host, owners] of meshOwners) {
    for (const vs of owners) {
      const others = owners.filter((o) => o !== vs && exportsOverlap(o.exportTo, vs.exportTo));
      if (others.length > 0) {
        findings.push(finding('conflicting-mesh-virtualservices', vs.ref, `host ${host} is also bound to the mesh by ${others.map((o) => ref(o.ref)).join(', ')}, visible in the same namespaces; Istio applies only one of them to in-mesh traffic: merge their rules into one VirtualService`));
      }
    }
  }
  for (const [host, rules] of index.destinationRulesByHost) {
    for (const dr of rules.slice(1)) {
      findings.push(finding('conflicting-destinationrules', dr.ref, `host ${host} already has ${ref(rules[0].ref)}; Istio merges DestinationRules of one host only partly (subsets with new names are added, a repeated subset name and a second traffic policy are dropped): keep a host's subsets and policy in one DestinationRule`));
    }
  }
  findings.push(...checkGatewayConflicts(index));
  return findings;
}

interface GatewayServer {
  readonly gateway: GatewayInfo;
  /** 0-based. */
  readonly server: number;
  /** Its hosts without their namespace part. */
  readonly hosts: string[];
  /** Its place among the servers of the same selector and port. */
  readonly order: number;
}

/** Gateways with the same selector and a server on the same port for overlapping hosts: IST0145. */
function checkGatewayConflicts(index: MeshIndex): Finding[] {
  const byKey = new Map<string, GatewayServer[]>();
  for (const gateway of index.gateways.values()) {
    const selector = Object.entries(gateway.selector).map(([k, v]) => `${k}=${v}`).sort().join(',');
    gateway.servers.forEach((server, i) => {
      const key = `${selector}~${server.port?.number}`;
      const list = byKey.get(key) ?? [];
      list.push({ gateway, server: i, hosts: server.hosts.map(serverHostName), order: list.length });
      byKey.set(key, list);
    });
  }
  const findings: Finding[] = [];
  for (const [key, servers] of byKey) {
    const [selector, port] = key.split('~');
    // Exact hosts are looked up by name; only wildcards are compared with every host.
    const exact = new Map<string, GatewayServer[]>();
    const wildcards: Array<{ host: string; server: GatewayServer }> = [];
    for (const server of servers) {
      for (const host of server.hosts) {
        if (host.includes('*')) {
          wildcards.push({ host, server });
        } else {
          const list = exact.get(host) ?? [];
          list.push(server);
          exact.set(host, list);
        }
      }
    }
    for (const s of servers) {
      const overlapping = new Set<GatewayServer>();
      for (const host of s.hosts) {
        if (host.includes('*')) {
          exact.forEach((list, name) => (hostServes(host, name) ? list.forEach((o) => overlapping.add(o)) : undefined));
        } else {
          (exact.get(host) ?? []).forEach((o) => overlapping.add(o));
        }
        wildcards.filter((w) => hostsOverlap(w.host, host)).forEach((w) => overlapping.add(w.server));
      }
      const others = [...overlapping].filter((o) => o.gateway !== s.gateway).sort((a, b) => a.order - b.order);
      const names = [...new Set(others.map((o) => ref(o.gateway.ref)))];
      if (names.length > 0) {
        findings.push(finding('conflicting-gateways', s.gateway.ref, `server ${s.server + 1} (port ${port}, hosts ${s.hosts.join(', ')}) has the same selector (${selector || 'none'}), port and overlapping hosts as ${names.join(', ')}; the gateway proxy cannot serve both: give them distinct hosts or ports, or merge them into one Gateway`));
      }
    }
  }
  return findings;
}

/** Rules that can never match (IST0130), matches covered by earlier ones (IST0131), weights, header names. */
export function checkRules(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  for (const vs of index.virtualServices) {
    for (const kind of RULE_KINDS) {
      findings.push(...checkRuleOrder(vs, kind));
      vs[kind].forEach((rule, i) => findings.push(...checkWeights(vs, kind, i, rule)));
    }
    vs.http.forEach((rule, i) => {
      for (const m of Array.isArray(rule?.match) ? rule.match : []) {
        for (const field of ['headers', 'withoutHeaders'] as const) {
          for (const name of Object.keys(m?.[field] ?? {})) {
            if (name !== name.toLowerCase()) {
              findings.push(finding('header-not-lowercase', vs.ref, `${ruleLabel(vs, 'http', i)} matches ${field} key "${name}"; Istio's API requires lower-case header names: use "${name.toLowerCase()}"`));
            }
          }
        }
      }
    });
  }
  return findings;
}

/**
 * Rules are tried in order and the first that matches wins: a rule after a catch-all never
 * matches, nor does a match that an earlier match admits every request of.
 */
function checkRuleOrder(vs: VirtualServiceInfo, kind: RuleKind): Finding[] {
  // Each kind's rules hold matches of that kind.
  const covers = (kind === 'http' ? matchCovers : l4MatchCovers) as (earlier: MatchJson, later: MatchJson) => boolean;
  const findings: Finding[] = [];
  const earlier: Array<{ rule: number; match: number; value: MatchJson }> = [];
  let catchAll: number | undefined;
  vs[kind].forEach((rule: RuleJson | undefined, i) => {
    const matches: readonly MatchJson[] = Array.isArray(rule?.match) ? rule.match : [];
    // A rule that delegates takes only what its delegate's rules take, within its matches (istiod merges them), so it hides no later rule.
    const delegates = kind === 'http' && isObject((rule as HttpRouteJson | undefined)?.delegate);
    if (catchAll !== undefined) {
      findings.push(finding('unreachable-rule', vs.ref, `${ruleLabel(vs, kind, i)} can never match: ${ruleLabel(vs, kind, catchAll)} before it takes every request; move the more specific rule first`));
    } else if (matches.length > 0) {
      const coveredBy = matches.map((m) => earlier.find((e) => covers(e.value, m)));
      const describe = (e: { rule: number; match: number; value: MatchJson }, m: MatchJson) => (matchKey(e.value) === matchKey(m)
        ? `${ruleLabel(vs, kind, e.rule)} has the same match`
        : `match ${e.match + 1} of ${ruleLabel(vs, kind, e.rule)} already takes every request it admits`);
      if (coveredBy.every((e) => e !== undefined)) {
        const reasons = [...new Set(coveredBy.map((e, j) => (matches.length === 1 ? '' : `match ${j + 1}: `) + describe(e!, matches[j])))];
        findings.push(finding('unreachable-rule', vs.ref, `${ruleLabel(vs, kind, i)} can never match: ${reasons.join('; ')}`));
      } else {
        coveredBy.forEach((e, j) => {
          if (e !== undefined) {
            findings.push(finding('ineffective-match', vs.ref, `match ${j + 1} of ${ruleLabel(vs, kind, i)} never applies: ${describe(e, matches[j])}`));
          }
        });
      }
      if (!delegates) {
        matches.forEach((m, j) => earlier.push({ rule: i, match: j, value: m }));
      }
    }
    if (catchAll === undefined && !delegates && isCatchAll(rule)) {
      catchAll = i;
    }
  });
  return findings;
}

function checkWeights(vs: VirtualServiceInfo, kind: RuleKind, i: number, rule: RuleJson | undefined): Finding[] {
  const routes = Array.isArray(rule?.route) ? rule.route : [];
  if (routes.length <= 1) {
    return []; // a single destination takes all the rule's traffic, whatever its weight
  }
  const total = routes.map((r) => (typeof r?.weight === 'number' ? r.weight : 0)).reduce((a, b) => a + b, 0);
  if (total === 0) {
    return [finding('zero-total-weight', vs.ref, `${ruleLabel(vs, kind, i)} gives all its destinations weight 0 (Istio rejects a total weight of 0); give at least one destination a positive weight`)];
  }
  if (total !== 100) {
    return [finding('weights-not-100', vs.ref, `${ruleLabel(vs, kind, i)}'s weights add up to ${total}, not 100; Istio divides each by the total, so the shares are not the numbers written`)];
  }
  return [];
}

/** Services: ports Istio can classify (IST0118), selectors that match pods. Workloads: selectors that match their own template. */
export function checkServicesAndWorkloads(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  for (const service of index.services.values()) {
    findings.push(...checkServicePorts(service));
    if (service.selector !== undefined && Object.keys(service.selector).length > 0
      && index.workloadsMatching(service.ref.namespace, service.selector).length === 0) {
      const labels = Object.entries(service.selector).map(([k, v]) => `${k}=${v}`).join(',');
      findings.push(finding('service-selects-no-pods', service.ref, `selector ${labels} matches no pod template in namespace ${service.ref.namespace}; the Service has no endpoints unless its pods are defined elsewhere`));
    }
  }
  for (const workload of index.workloads) {
    if (workload.selector !== undefined && !selectorMatches(workload.selector, workload.labels)) {
      findings.push(finding('deployment-selector-mismatch', workload.ref, `spec.selector ${JSON.stringify(workload.selector)} does not match the pod template's labels ${JSON.stringify(workload.labels)}; the API server rejects it`));
    }
  }
  for (const gateway of index.gateways.values()) {
    gateway.servers.forEach((server, i) => {
      const tls = server.tls;
      const terminates = ['HTTPS', 'TLS'].includes(String(server.port?.protocol ?? '').toUpperCase()) && !['PASSTHROUGH', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL'].some((mode) => mode === tls?.mode);
      if (terminates && !tls?.credentialName && !tls?.credentialNames && !tls?.serverCertificate && !tls?.tlsCertificates) {
        findings.push(finding('tls-without-credential', gateway.ref, `server ${i + 1} (port ${server.port?.number}, ${server.port?.protocol}) terminates TLS without a certificate; set tls.credentialName to the Secret holding it`));
      }
    });
    const selector = gateway.selector;
    // One lookup per Gateway over all namespaces at once: the cost does not grow with the namespace count.
    if (Object.keys(selector).length > 0 && index.workloadsMatchingAnywhere(selector).length === 0) {
      const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
      findings.push(finding('gateway-selects-no-workload', gateway.ref, `selector ${labels} matches no workload in these manifests; that is expected when the ingress gateway is installed separately (usually in istio-system), make sure one with these labels runs`));
    }
  }
  return findings;
}

/**
 * Ports whose protocol Istio cannot tell (`servicePortProtocol`, as pilot's `ConvertProtocol`
 * reads them: the `appProtocol` if set, else the name's prefix).
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
function checkServicePorts(service: ServiceInfo): Finding[] {
  return service.ports
    .filter((port) => servicePortProtocol(port) === 'UNSUPPORTED')
    .map((port) => finding('port-protocol-unknown', service.ref, `port ${port.port} is named ${port.name === undefined ? '(no name)' : `"${port.name}"`} and has no appProtocol, so Istio cannot tell its protocol and HTTP routing rules may not apply; name it "<protocol>[-<suffix>]" (e.g. "http") or set appProtocol`));
}
