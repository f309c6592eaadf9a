/**
 * The safety invariants of a rollout plan, checked by carrying out every phase of every transition
 * on a simulated live state.
 */
import { errorsOf, verifyManifests } from '../../lib/mesh/verify';
import { formatFinding } from '../../lib/mesh/findings';
import { HttpMatchJson, RouteRuleJson } from '../../lib/mesh/json';
import { HttpRouteInfo, Manifest, MeshIndex } from '../../lib/mesh/manifests';
import { PhaseKind, RolloutPlan } from '../../lib';
import { applyPhase, isRoute, objectKey } from '../../lib/rollout/transition';

/**
 * The Services an HTTPRoute rule sends requests (or mirrored copies) to, as `host#` (no subset),
 * with each one's share of the rule's requests in percent (backend weights are relative, 1 by
 * default; a mirror without a percent or fraction copies every request).
 */
function httpRouteBackends(index: MeshIndex, route: HttpRouteInfo, rule: RouteRuleJson): Array<{ key: string; share: number; mirror: boolean }> {
  const isService = (ref: any) => ref?.name !== undefined && (ref?.kind ?? 'Service') === 'Service' && (ref?.group ?? '') === '';
  const keyOf = (ref: any) => `${index.resolveHost(String(ref.name), String(ref.namespace ?? route.ref.namespace))}#`;
  const backends = (rule.backendRefs ?? []).filter(isService);
  const total = backends.reduce((n, b: any) => n + Number(b.weight ?? 1), 0);
  const found = backends.map((b: any) => ({ key: keyOf(b), share: total === 0 ? 0 : (100 * Number(b.weight ?? 1)) / total, mirror: false }));
  for (const filter of Array.isArray(rule.filters) ? rule.filters : []) {
    const mirror = filter?.type === 'RequestMirror' ? filter.requestMirror : undefined;
    if (isService(mirror?.backendRef)) {
      const share = mirror.percent !== undefined ? Number(mirror.percent)
        : mirror.fraction !== undefined ? (100 * Number(mirror.fraction.numerator)) / Number(mirror.fraction.denominator ?? 100) : 100;
      found.push({ key: keyOf(mirror.backendRef), share, mirror: true });
    }
  }
  return found;
}

/** `host#subset` for every subset a VirtualService, and `host#` for every Service an HTTPRoute, of `manifests` routes to. */
export function routedSubsets(manifests: readonly Manifest[]): Set<string> {
  const index = new MeshIndex(manifests);
  const routed = new Set<string>();
  for (const vs of index.virtualServices) {
    for (const { destination } of index.destinationsOf(vs)) {
      routed.add(`${index.resolveHost(String(destination.host), vs.ref.namespace)}#${destination.subset ?? ''}`);
    }
  }
  for (const route of index.httpRoutes) {
    for (const rule of route.rules) {
      for (const { key } of httpRouteBackends(index, route, rule)) {
        routed.add(key);
      }
    }
  }
  return routed;
}

/** Pods behind each routed subset (`host#subset` → replicas); a subset the DestinationRules lack has none. */
export function podsBehind(manifests: readonly Manifest[]): Map<string, number> {
  const index = new MeshIndex(manifests);
  const pods = new Map<string, number>();
  for (const key of routedSubsets(manifests)) {
    const [host, subset] = key.split('#');
    const workloads = index.workloadsBehind(host, subset === '' ? undefined : subset);
    pods.set(key, workloads.reduce((n, w) => n + (w.replicas ?? 1), 0));
  }
  return pods;
}

/** Whether an Istio match only restricts the gateway, not the request (its share is then known). */
function matchesEveryRequest(match: HttpMatchJson): boolean {
  return Object.keys(match ?? {}).every((k) => k === 'gateways');
}

/**
 * Each routed subset's (or, for HTTPRoutes, Service's) share of the weighted traffic (mirrored
 * copies included) and its pods: rules with request matches are left out; each other rule is a
 * stream of its own, and a subset's share is its largest in any stream.
 */
export function loads(manifests: readonly Manifest[]): Array<{ key: string; share: number; pods: number }> {
  const index = new MeshIndex(manifests);
  const shares = new Map<string, number>();
  for (const vs of index.virtualServices) {
    const destinations = index.destinationsOf(vs);
    vs.http.forEach((rule, i) => {
      if (!(rule?.match ?? []).every(matchesEveryRequest)) {
        return;
      }
      const stream = new Map<string, number>();
      for (const d of destinations.filter((x) => x.kind === 'http' && x.rule === i)) {
        const key = `${index.resolveHost(String(d.destination.host), vs.ref.namespace)}#${d.destination.subset ?? ''}`;
        const share = Number((d.mirror ? d.percentage : d.weight) ?? 100);
        stream.set(key, (stream.get(key) ?? 0) + share);
      }
      for (const [key, share] of stream) {
        shares.set(key, Math.max(shares.get(key) ?? 0, share));
      }
    });
  }
  for (const route of index.httpRoutes) {
    for (const rule of route.rules.filter((r) => (r.matches ?? []).length === 0)) {
      const stream = new Map<string, number>();
      for (const { key, share } of httpRouteBackends(index, route, rule)) {
        stream.set(key, (stream.get(key) ?? 0) + share);
      }
      for (const [key, share] of stream) {
        shares.set(key, Math.max(shares.get(key) ?? 0, share));
      }
    }
  }
  return [...shares].map(([key, share]) => {
    const [host, subset] = key.split('#');
    const pods = index.workloadsBehind(host, subset === '' ? undefined : subset).reduce((n, w) => n + (w.replicas ?? 1), 0);
    return { key, share, pods };
  });
}

/** Pods of every workload, which before a release is the stable version alone. */
function allPods(manifests: readonly Manifest[]): number {
  return manifests.filter((m) => ['Deployment', 'StatefulSet'].includes(m.kind ?? '')).reduce((n, m) => n + (m.spec?.replicas ?? 1), 0);
}

/** Every way the plan breaks an invariant; empty when it is safe. */
export function planViolations(plan: RolloutPlan, options: { maxPodLoad?: number } = {}): string[] {
  const problems: string[] = [];
  let live: Manifest[] = plan.before === undefined ? [] : plan.manifestsOf(plan.before);
  // 5. Capacity: the stable's per-pod share before the release, from the state before stage 1 (or stage 1 itself).
  const stablePods = allPods(plan.before === undefined ? plan.stages()[0].manifests : live);
  const limit = (100 / stablePods) * (options.maxPodLoad ?? 1);
  for (const stage of plan.stages()) {
    const where = stage.state.folder;
    // 1. Every stage passes the mesh verification.
    for (const f of errorsOf(verifyManifests(stage.manifests))) {
      problems.push(`${where}: ${formatFinding(f)}`);
    }
    const routedBefore = routedSubsets(live);
    const routesBefore = live.filter(isRoute);
    for (const phase of stage.phases) {
      // 4. Applied on its own, the folder must be safe: nothing it retires or deletes is routed by the live stage.
      if (phase.kind === PhaseKind.RETIRE || phase.kind === PhaseKind.DELETE) {
        const after = applyPhase(live, phase);
        const podsAfter = podsBehind(after.filter((m) => !isRoute(m)).concat(routesBefore));
        for (const key of routedBefore) {
          if ((podsAfter.get(key) ?? 0) === 0) {
            problems.push(`${where}/${phase.kind}: takes away ${key}, which the previous stage's routes still name`);
          }
        }
      }
      live = applyPhase(live, phase);
      // 2. In no phase does a route name a subset that is not live, or that has no pods.
      for (const f of errorsOf(verifyManifests(live))) {
        problems.push(`${where}/${phase.kind}: ${formatFinding(f)}`);
      }
      for (const [key, pods] of podsBehind(live)) {
        if (pods === 0) {
          problems.push(`${where}/${phase.kind}: routes to ${key}, which has no pods`);
        }
      }
      for (const load of loads(live)) {
        if (load.pods > 0 && load.share / load.pods > limit + 1e-9) {
          problems.push(`${where}/${phase.kind}: ${load.key} takes ${load.share}% on ${load.pods} pods, above ${limit}% per pod`);
        }
      }
      // 3. The stable version always has pods (its subset, or with the Gateway API its Service
      // `<service>-<subset>`, is named after it in these plans).
      const liveIndex = new MeshIndex(live);
      const stableServices = liveIndex.httpRoutes.length === 0 ? [] : [...liveIndex.services.values()]
        .filter((svc) => svc.ref.name.endsWith(`-${stage.state.stable}`) && stage.manifests.some((m) => m.kind === 'Service' && m.metadata?.name === svc.ref.name));
      for (const svc of stableServices) {
        if (liveIndex.workloadsBehind(svc.host, undefined).reduce((n, w) => n + (w.replicas ?? 1), 0) === 0) {
          problems.push(`${where}/${phase.kind}: the stable version ${stage.state.stable} has no pods`);
        }
      }
      const stableSubset = stage.manifests.find((m) => m.kind === 'DestinationRule')?.spec?.subsets?.find((x: any) => x.name === stage.state.stable);
      if (stableSubset !== undefined) {
        const pods = live.filter((m) => m.kind === 'Deployment' && Object.entries(stableSubset.labels).every(([k, v]) => m.spec?.template?.metadata?.labels?.[k] === v))
          .reduce((n, m) => n + (m.spec?.replicas ?? 1), 0);
        if (pods === 0) {
          problems.push(`${where}/${phase.kind}: the stable version ${stage.state.stable} has no pods`);
        }
      }
    }
    // The phases lead exactly to the stage.
    const keys = (ms: Manifest[]) => ms.map(objectKey).sort();
    if (JSON.stringify(keys(live)) !== JSON.stringify(keys(stage.manifests))) {
      problems.push(`${where}: the phases lead to ${keys(live).join(', ')} instead of ${keys(stage.manifests).join(', ')}`);
    }
    for (const m of stage.manifests) {
      if (JSON.stringify(live.find((l) => objectKey(l) === objectKey(m))) !== JSON.stringify(m)) {
        problems.push(`${where}: ${objectKey(m)} differs from the stage after its phases`);
      }
    }
  }
  return problems;
}
