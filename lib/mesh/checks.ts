/**
 * The checks of the mesh verification. Each reads the index and returns findings; none compares
 * all pairs of objects.
 */
import { hostServes } from '../model/hosts';
import { CODES, Finding, FindingCode, Severity } from './findings';
import { isCatchAll, matchKey } from './http-match';
import { MeshIndex, ObjectRef, selectorMatches, ServiceInfo, VirtualServiceInfo } from './manifests';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Port name prefixes (and `appProtocol` values) from which Istio learns a port's protocol.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export const ISTIO_PROTOCOLS = ['http', 'http2', 'https', 'grpc', 'grpc-web', 'mongo', 'mysql', 'redis', 'tcp', 'tls', 'udp'];
/** Kubernetes' own `appProtocol` values that Istio maps to a protocol. */
const KUBERNETES_APP_PROTOCOLS = ['kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss'];

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

/** Every destination a VirtualService's HTTP rules send requests (or mirrored copies) to. */
export function destinationsOf(vs: VirtualServiceInfo): Array<{ rule: number; destination: any; mirror: boolean }> {
  const found: Array<{ rule: number; destination: any; mirror: boolean }> = [];
  vs.http.forEach((rule, i) => {
    for (const route of Array.isArray(rule?.route) ? rule.route : []) {
      if (route?.destination) {
        found.push({ rule: i, destination: route.destination, mirror: false });
      }
    }
    if (rule?.mirror) {
      found.push({ rule: i, destination: rule.mirror, mirror: true });
    }
    for (const mirror of Array.isArray(rule?.mirrors) ? rule.mirrors : []) {
      if (mirror?.destination) {
        found.push({ rule: i, destination: mirror.destination, mirror: true });
      }
    }
  });
  return found;
}

function ruleLabel(vs: VirtualServiceInfo, index: number): string {
  const name = vs.http[index]?.name;
  return `http rule ${index + 1}${typeof name === 'string' ? ` ("${name}")` : ''}`;
}

/** Destination hosts, subsets and ports must exist: IST0101, IST0112. */
export function checkDestinations(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  for (const vs of index.virtualServices) {
    for (const { rule, destination, mirror } of destinationsOf(vs)) {
      const where = `${ruleLabel(vs, rule)}${mirror ? ' mirrors to' : ' routes to'}`;
      const written = String(destination.host ?? '');
      const host = index.resolveHost(written, vs.ref.namespace);
      const service = index.services.get(host);
      if (service === undefined && !index.serviceEntryDeclares(host)) {
        findings.push(finding('unknown-host', vs.ref, `${where} host "${written}" (${host}), which matches no Service or ServiceEntry; define the Service or fix the host`));
        continue;
      }
      if (destination.subset !== undefined) {
        const rules = index.destinationRulesByHost.get(host) ?? [];
        const subsets = rules.flatMap((dr) => dr.subsets.map((s) => s.name));
        if (!subsets.includes(destination.subset)) {
          const defined = rules.length === 0
            ? `no DestinationRule defines subsets for host ${host}`
            : `${rules.map((dr) => ref(dr.ref)).join(' and ')} does not define it (it defines ${subsets.map((s) => `"${s}"`).join(', ') || 'no subsets'})`;
          findings.push(finding('unknown-subset', vs.ref, `${where} subset "${destination.subset}" of host ${host}, but ${defined}; every request this route takes fails with 503 until the subset exists: add the subset to the DestinationRule before routing to it`));
        }
      }
      if (service !== undefined) {
        findings.push(...checkDestinationPort(vs, where, service, destination));
      }
    }
  }
  return findings;
}

function checkDestinationPort(vs: VirtualServiceInfo, where: string, service: ServiceInfo, destination: any): Finding[] {
  const port = destination.port?.number;
  if (port === undefined) {
    return service.ports.length > 1
      ? [finding('destination-port-required', vs.ref, `${where} ${ref(service.ref)}, which has ${service.ports.length} ports (${service.ports.map((p) => p.port).join(', ')}), without a port; set destination.port.number`)]
      : [];
  }
  return service.ports.some((p) => p.port === port)
    ? []
    : [finding('unknown-destination-port', vs.ref, `${where} port ${port} of ${ref(service.ref)}, which only has ports ${service.ports.map((p) => p.port).join(', ') || 'none'}`)];
}

/** Gateways must exist and serve the hosts; `*` must not be bound to the mesh: IST0101, IST0132. */
export function checkGateways(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  for (const vs of index.virtualServices) {
    const onMesh = vs.gateways.includes('mesh');
    if (onMesh && vs.hosts.includes('*')) {
      findings.push(finding('wildcard-host-on-mesh', vs.ref, 'host "*" cannot be bound to the mesh gateway (Istio rejects it: it would capture every in-mesh call); name the hosts, or bind the VirtualService to ingress gateways only'));
    }
    for (const name of vs.gateways) {
      if (name === 'mesh') {
        continue;
      }
      const gateway = index.gateways.get(name);
      if (gateway === undefined) {
        findings.push(finding('unknown-gateway', vs.ref, `gateways names "${name}", which is not defined; define Gateway ${name} or fix the name (a name without a namespace is looked up in ${vs.ref.namespace})`));
        continue;
      }
      const served = (host: string) => gateway.servers.some((s) => s.hosts.some((h) => serverHostServes(h, gateway.ref.namespace, vs.ref.namespace, host)));
      const unserved = vs.hosts.filter((h) => !served(h));
      // Istio reports a gateway that serves none of the hosts; hosts meant for the mesh need not be on the gateway.
      if (unserved.length === vs.hosts.length || (!onMesh && unserved.length > 0)) {
        findings.push(finding('host-not-in-gateway', vs.ref, `${unserved.length === 1 ? 'host' : 'hosts'} ${unserved.map((h) => `"${h}"`).join(', ')} ${unserved.length === 1 ? 'is' : 'are'} not served by ${ref(gateway.ref)} (its servers take ${gateway.servers.flatMap((s) => s.hosts).join(', ') || 'no hosts'}); requests for them through that gateway never reach this VirtualService`));
      }
    }
  }
  return findings;
}

/** A Gateway server host, optionally `namespace/host`, where `.` is the Gateway's own namespace. */
function serverHostServes(serverHost: string, gatewayNamespace: string, vsNamespace: string, host: string): boolean {
  const slash = serverHost.indexOf('/');
  if (slash >= 0) {
    const ns = serverHost.slice(0, slash);
    const allowed = ns === '*' || (ns === '.' ? gatewayNamespace : ns) === vsNamespace;
    return allowed && hostServes(serverHost.slice(slash + 1), host);
  }
  return hostServes(serverHost, host);
}

/** DestinationRule subsets: valid, unique names that select running pods: IST0173. */
export function checkSubsets(index: MeshIndex): Finding[] {
  const routed = new Set<string>();
  for (const vs of index.virtualServices) {
    for (const { destination } of destinationsOf(vs)) {
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
      if (!DNS1123_LABEL.test(subset.name) || subset.name.length > 63) {
        findings.push(finding('invalid-subset-name', dr.ref, `subset name "${subset.name}" must be a DNS-1123 label (lower-case letters, digits and "-")`));
      }
      if (service?.selector === undefined || Object.keys(service.selector).length === 0) {
        continue; // a ServiceEntry, or a Service whose endpoints are managed by hand
      }
      const pods = index.workloadsMatching(service.ref.namespace, service.selector, subset.labels);
      const isRouted = routed.has(`${dr.host}#${subset.name}`);
      const labels = Object.entries({ ...service.selector, ...subset.labels }).map(([k, v]) => `${k}=${v}`).join(',');
      if (pods.length === 0) {
        findings.push(finding('subset-selects-no-pods', dr.ref, `subset "${subset.name}" selects no pods: no pod template in namespace ${service.ref.namespace} has the labels ${labels} (the Service's selector and the subset's labels)${isRouted ? '; requests routed to it fail with 503' : ''}`, isRouted ? Severity.ERROR : Severity.WARNING));
      } else if (pods.every((p) => p.replicas === 0)) {
        findings.push(finding('subset-scaled-to-zero', dr.ref, `subset "${subset.name}" selects only ${pods.map((p) => ref(p.ref)).join(', ')}, scaled to 0 replicas${isRouted ? '; requests routed to it fail with 503' : ''}`));
      }
    }
  }
  return findings;
}

/** One VirtualService per host on the mesh, one DestinationRule per host: IST0109. */
export function checkConflicts(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  const meshOwners = new Map<string, VirtualServiceInfo>();
  for (const vs of index.virtualServices) {
    if (!vs.gateways.includes('mesh')) {
      continue;
    }
    for (const written of vs.hosts) {
      const host = index.resolveHost(written, vs.ref.namespace);
      const owner = meshOwners.get(host);
      if (owner === undefined) {
        meshOwners.set(host, vs);
      } else if (owner !== vs) {
        findings.push(finding('conflicting-mesh-virtualservices', vs.ref, `host ${host} is also bound to the mesh by ${ref(owner.ref)}; Istio applies only one of them to in-mesh traffic: merge their rules into one VirtualService`));
      }
    }
  }
  for (const [host, rules] of index.destinationRulesByHost) {
    for (const dr of rules.slice(1)) {
      findings.push(finding('conflicting-destinationrules', dr.ref, `host ${host} already has ${ref(rules[0].ref)}; Istio merges DestinationRules of one host only partly (subsets with new names are added, a repeated subset name and a second traffic policy are dropped): keep a host's subsets and policy in one DestinationRule`));
    }
  }
  return findings;
}

/** Rules that can never match (IST0130), repeated matches (IST0131), weights, header names. */
export function checkRules(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  for (const vs of index.virtualServices) {
    const earlier = new Map<string, number>();
    let catchAll: number | undefined;
    vs.http.forEach((rule, i) => {
      const matches: any[] = Array.isArray(rule?.match) ? rule.match : [];
      if (catchAll !== undefined) {
        findings.push(finding('unreachable-rule', vs.ref, `${ruleLabel(vs, i)} can never match: ${ruleLabel(vs, catchAll)} before it takes every request; move the more specific rule first`));
      } else if (matches.length > 0) {
        const repeats = matches.map((m) => earlier.get(matchKey(m)));
        if (repeats.every((r) => r !== undefined)) {
          findings.push(finding('unreachable-rule', vs.ref, `${ruleLabel(vs, i)} can never match: each of its matches repeats one of ${[...new Set(repeats)].map((r) => ruleLabel(vs, r!)).join(' and ')}`));
        } else {
          repeats.forEach((r, j) => {
            if (r !== undefined) {
              findings.push(finding('ineffective-match', vs.ref, `match ${j + 1} of ${ruleLabel(vs, i)} never applies: ${ruleLabel(vs, r)} has the same match`));
            }
          });
        }
        matches.forEach((m) => {
          if (!earlier.has(matchKey(m))) {
            earlier.set(matchKey(m), i);
          }
        });
      }
      if (catchAll === undefined && isCatchAll(rule)) {
        catchAll = i;
      }
      findings.push(...checkWeights(vs, i, rule));
      for (const m of matches) {
        for (const field of ['headers', 'withoutHeaders'] as const) {
          for (const name of Object.keys(m?.[field] ?? {})) {
            if (name !== name.toLowerCase()) {
              findings.push(finding('header-not-lowercase', vs.ref, `${ruleLabel(vs, i)} matches ${field} key "${name}"; Istio's API requires lower-case header names: use "${name.toLowerCase()}"`));
            }
          }
        }
      }
    });
  }
  return findings;
}

function checkWeights(vs: VirtualServiceInfo, i: number, rule: any): Finding[] {
  const routes: any[] = Array.isArray(rule?.route) ? rule.route : [];
  if (routes.length === 0) {
    return [];
  }
  if (routes.length === 1) {
    return []; // a single destination takes all the rule's traffic, whatever its weight
  }
  const total = routes.map((r) => (typeof r?.weight === 'number' ? r.weight : 0)).reduce((a, b) => a + b, 0);
  if (total === 0) {
    return [finding('zero-total-weight', vs.ref, `${ruleLabel(vs, i)} gives all its destinations weight 0 (Istio rejects a total weight of 0); give at least one destination a positive weight`)];
  }
  if (total !== 100) {
    return [finding('weights-not-100', vs.ref, `${ruleLabel(vs, i)}'s weights add up to ${total}, not 100; Istio divides each by the total, so the shares are not the numbers written`)];
  }
  return [];
}

/** Services: ports Istio can classify (IST0118), selectors that match pods. Workloads: selectors that match their own template. */
export function checkServicesAndWorkloads(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  for (const service of index.services.values()) {
    for (const port of service.ports) {
      const prefix = (port.name ?? '').split('-')[0];
      const known = (p: string | undefined) => p !== undefined && ISTIO_PROTOCOLS.includes(p.toLowerCase());
      if (!known(port.appProtocol) && !KUBERNETES_APP_PROTOCOLS.includes(port.appProtocol ?? '') && !(known(prefix) || known(port.name))) {
        findings.push(finding('port-protocol-unknown', service.ref, `port ${port.port} is named ${port.name === undefined ? '(no name)' : `"${port.name}"`} and has no appProtocol, so Istio cannot tell its protocol and HTTP routing rules may not apply; name it "<protocol>[-<suffix>]" (e.g. "http") or set appProtocol`));
      }
    }
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
      const terminates = ['HTTPS', 'TLS'].includes(String(server.port?.protocol ?? '').toUpperCase()) && !['PASSTHROUGH', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL'].includes(tls?.mode);
      if (terminates && !tls?.credentialName && !tls?.credentialNames && !tls?.serverCertificate && !tls?.tlsCertificates) {
        findings.push(finding('tls-without-credential', gateway.ref, `server ${i + 1} (port ${server.port?.number}, ${server.port?.protocol}) terminates TLS without a certificate; set tls.credentialName to the Secret holding it`));
      }
    });
    const selector = gateway.selector;
    if (Object.keys(selector).length > 0 && !index.namespaces().some((ns) => index.workloadsMatching(ns, selector).length > 0)) {
      const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
      findings.push(finding('gateway-selects-no-workload', gateway.ref, `selector ${labels} matches no workload in these manifests; that is expected when the ingress gateway is installed separately (usually in istio-system), make sure one with these labels runs`));
    }
  }
  return findings;
}
