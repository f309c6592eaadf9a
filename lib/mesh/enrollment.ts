/**
 * Checks of where routed workloads live: namespaces enrolled in the mesh (IST0102, IST0123), and
 * Gateways that take the same host on the same port of the same gateway workload (IST0145).
 */
import { finding } from './checks';
import { Finding } from './findings';
import { grpcRoutes } from './explain-gateway-api';
import { isService } from './gateway-api-checks';
import { DEFAULT_NAMESPACE, Manifest, MESH_GATEWAY, MeshIndex, ObjectRef, serviceHost, WorkloadInfo } from './manifests';

/** The label that turns on sidecar injection for a namespace (value `enabled`). */
export const INJECTION_LABEL = 'istio-injection';
/** The label that turns on sidecar injection by a given control plane revision. */
export const REVISION_LABEL = 'istio.io/rev';
/** The label that puts a namespace (or pod) in the ambient mesh (value `ambient`). */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** The pod label that asks for a sidecar whatever the namespace's labels (value `true`). */
const POD_INJECT_LABEL = 'sidecar.istio.io/inject';
/** The label that sends a Service's (or a namespace's Services') in-mesh traffic through a waypoint. */
const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
const ISTIO_SYSTEM = 'istio-system';

/** How a namespace's labels enrol its pods, as `istioctl analyze` reads them. */
function enrollment(labels: Record<string, string>): 'enrolled' | 'opted-out' | 'not-enrolled' {
  if (labels[DATAPLANE_MODE_LABEL] === 'ambient') {
    return 'enrolled';
  }
  const injection = labels[INJECTION_LABEL];
  if (injection === undefined || injection === '') {
    return Object.prototype.hasOwnProperty.call(labels, REVISION_LABEL) ? 'enrolled' : 'not-enrolled';
  }
  // Any other value than `enabled` (usually `disabled`) keeps the namespace out on purpose.
  return injection === 'enabled' ? 'enrolled' : 'opted-out';
}

/** Whether a pod enrols itself whatever its namespace says. */
function podEnrolled(workload: WorkloadInfo): boolean {
  return workload.labels[POD_INJECT_LABEL] === 'true' || workload.labels[DATAPLANE_MODE_LABEL] === 'ambient';
}

function refText(r: ObjectRef): string {
  return `${r.kind} ${r.namespace}/${r.name}`;
}

/**
 * Namespaces in the manifests that routed workloads live in but that are not enrolled in the mesh
 * (IST0102), and namespaces with more than one kind of enrollment label (IST0123).
 *
 * istioctl reports every namespace without an enrollment label; this reports only those holding
 * workloads that a VirtualService routes to, since their pods are the ones that must be in the
 * mesh. A namespace is enrolled by `istio-injection: enabled`, by `istio.io/rev` (without
 * `istio-injection`), or by `istio.io/dataplane-mode: ambient`; any other value of
 * `istio-injection` (e.g. `disabled`) keeps it out on purpose and is not reported, nor are pods
 * that enrol themselves (`sidecar.istio.io/inject: "true"`, `istio.io/dataplane-mode: ambient`).
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0102/
 */
export function checkEnrollment(index: MeshIndex, manifests: readonly Manifest[]): Finding[] {
  const namespaces = manifests.filter((m) => m !== null && typeof m === 'object' && m.kind === 'Namespace' && m.apiVersion === 'v1');
  if (namespaces.length === 0) {
    return [];
  }
  // Routed workloads by namespace, with the first VirtualService that routes to each.
  const routed = new Map<string, Map<WorkloadInfo, ObjectRef>>();
  for (const vs of index.virtualServices) {
    for (const { destination } of index.destinationsOf(vs)) {
      const host = index.resolveHost(String(destination.host ?? ''), vs.ref.namespace);
      for (const workload of index.workloadsBehind(host, destination.subset)) {
        const byWorkload = routed.get(workload.ref.namespace) ?? new Map<WorkloadInfo, ObjectRef>();
        routed.set(workload.ref.namespace, byWorkload);
        if (!byWorkload.has(workload)) {
          byWorkload.set(workload, vs.ref);
        }
      }
    }
  }
  const findings: Finding[] = [];
  for (const ns of namespaces) {
    const name = String(ns.metadata?.name ?? '');
    const labels: Record<string, string> = { ...(ns.metadata?.labels ?? {}) };
    const ref: ObjectRef = { kind: 'Namespace', namespace: ns.metadata?.namespace ?? DEFAULT_NAMESPACE, name };
    const enrollmentLabels = [
      ...(labels[INJECTION_LABEL] !== undefined ? [`${INJECTION_LABEL}=${labels[INJECTION_LABEL]}`] : []),
      ...[REVISION_LABEL, DATAPLANE_MODE_LABEL]
        .filter((l) => labels[l] !== undefined && (labels[INJECTION_LABEL] === undefined || labels[INJECTION_LABEL] === 'enabled'))
        .map((l) => `${l}=${labels[l]}`),
    ];
    if (enrollmentLabels.length > 1) {
      findings.push(finding('conflicting-enrollment-labels', ref, `labels ${enrollmentLabels.join(', ')} each enrol the namespace in a different way, and which one applies is undefined; keep one of them`));
    }
    if (name === ISTIO_SYSTEM || enrollment(labels) !== 'not-enrolled') {
      continue;
    }
    const outside = [...(routed.get(name) ?? new Map<WorkloadInfo, ObjectRef>())].filter(([workload]) => !podEnrolled(workload));
    if (outside.length === 0) {
      continue;
    }
    const listed = outside.slice(0, 3).map(([w, vs]) => `${refText(w.ref)} (routed by ${refText(vs)})`).join(', ');
    const more = outside.length > 3 ? ` and ${outside.length - 3} more` : '';
    findings.push(finding('namespace-not-enrolled', ref, `namespace ${name} is not enrolled in the mesh, but ${listed}${more} ${outside.length === 1 ? 'lives' : 'live'} in it: their pods get no sidecar, so they are outside the mesh (no mutual TLS, and the routing rules of their own calls do not apply); label the namespace ${INJECTION_LABEL}=enabled, ${REVISION_LABEL}=<revision> or ${DATAPLANE_MODE_LABEL}=ambient, or ${INJECTION_LABEL}=disabled to keep it out on purpose`));
  }
  return findings;
}

/** The waypoint a Service uses: its own label, else its namespace's (pilot's `hasWaypoint` reads them in that order). */
function waypointOf(serviceLabels: Record<string, string>, namespaceLabels: Record<string, string>): string | undefined {
  const name = serviceLabels[USE_WAYPOINT_LABEL] ?? namespaceLabels[USE_WAYPOINT_LABEL];
  return name === undefined || name === '' || name.toLowerCase() === 'none' ? undefined : name;
}

/**
 * In-mesh routes (a VirtualService bound to `mesh`, an HTTPRoute or GRPCRoute attached to a
 * Service) for a Service of an ambient namespace that uses no waypoint: ztunnel carries only L4,
 * and in ambient mode a waypoint applies the routes, so the route is not respected (pilot's
 * `ResolvedWaypoints` condition: "istio.io/use-waypoint label missing from parent and parent
 * namespace") and calls from ambient pods go to all the Service's pods. Only namespaces the
 * manifests hold are judged.
 */
export function checkAmbientWaypoints(index: MeshIndex): Finding[] {
  const findings: Finding[] = [];
  const judge = (route: ObjectRef, host: string) => {
    const service = index.services.get(host);
    const namespaceLabels = service === undefined ? undefined : index.namespaceLabels.get(service.ref.namespace);
    if (service === undefined || namespaceLabels === undefined || namespaceLabels[DATAPLANE_MODE_LABEL] !== 'ambient'
      || waypointOf(service.labels, namespaceLabels) !== undefined) {
      return;
    }
    findings.push(finding('mesh-route-without-waypoint', route, `routes in-mesh calls to ${refText(service.ref)}, whose namespace is in the ambient mesh (${DATAPLANE_MODE_LABEL}=ambient) and which uses no waypoint: ztunnel carries only L4, so calls from ambient pods ignore this route and go to all the Service's pods; label the Service or its namespace ${USE_WAYPOINT_LABEL}=<waypoint> and deploy that waypoint (IstioEntry's waypoint prop labels the Services)`));
  };
  for (const vs of index.virtualServices.filter((v) => v.gateways.includes(MESH_GATEWAY))) {
    for (const host of new Set(vs.hosts.map((h) => index.resolveHost(h, vs.ref.namespace)))) {
      judge(vs.ref, host);
    }
  }
  for (const route of [...index.httpRoutes, ...grpcRoutes(index)]) {
    for (const p of route.parentRefs.filter((ref) => isService(ref, 'Gateway'))) {
      judge(route.ref, serviceHost(p.name, p.namespace ?? route.ref.namespace));
    }
  }
  return findings;
}
