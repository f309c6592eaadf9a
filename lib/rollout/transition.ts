/**
 * The transition between two desired states, as ordered phases: what a subset needs goes before
 * the routes that name it, and what routes stop naming goes after them. Routes are Istio
 * VirtualServices or Gateway API HTTPRoutes; with the Gateway API, the per-version Services are what
 * routes name, prepared before and deleted after them.
 *
 * Works on plain manifests, so it applies to any topology, not only this library's.
 */
import type { JsonObject } from '../mesh/json';
import { GATEWAY_API_GROUP, Manifest } from '../mesh/manifests';
import { groupOf } from '../mesh/shape';
import { DEFAULT_NAMESPACE } from '../model/names';

/** The phases of a transition, in the order they are applied. */
export enum PhaseKind {
  /** New or grown workloads, Services, Gateways (Istio or Gateway API), and DestinationRules with their new subsets. */
  PREPARE = 'prepare',
  /** VirtualServices and HTTPRoutes. */
  ROUTE = 'route',
  /** DestinationRules without the subsets routes no longer name, workloads scaled down. */
  RETIRE = 'retire',
  /** Objects the new state no longer has, to delete. */
  DELETE = 'delete',
}

/** One phase: objects to apply, or (for `DELETE`) to delete. */
export interface Phase {
  /** What the phase does with its objects. */
  readonly kind: PhaseKind;
  /** The objects to apply, in full; for `DELETE`, the objects as they were before. */
  readonly objects: Manifest[];
}

const WORKLOADS = new Set<string | undefined>(['Deployment', 'StatefulSet', 'ReplicaSet']);

/** Whether `m` routes requests: an Istio VirtualService or a Gateway API HTTPRoute. */
export function isRoute(m: Manifest): boolean {
  return m.kind === 'VirtualService'
    || (m.kind === 'HTTPRoute' && groupOf(m.apiVersion ?? '') === GATEWAY_API_GROUP);
}

/** `apiVersion/kind/namespace/name`. */
export function objectKey(m: Manifest): string {
  return `${m.apiVersion}/${m.kind}/${m.metadata?.namespace ?? DEFAULT_NAMESPACE}/${m.metadata?.name}`;
}

/** A DestinationRule's subsets as written (none when it has no list of them). */
function subsetsOf(dr: Manifest | undefined): ReadonlyArray<JsonObject | undefined> {
  const subsets: unknown = dr?.spec?.subsets;
  return Array.isArray(subsets) ? subsets : [];
}

function subsetNames(dr: Manifest | undefined): unknown[] {
  return subsetsOf(dr).map((s) => s?.name);
}

/**
 * Orders the changes from `before` to `after` into phases (empty phases left out).
 *
 * @param before the live state (`[]` for an empty cluster)
 * @param after the desired state
 */
export function planTransition(before: readonly Manifest[], after: readonly Manifest[]): Phase[] {
  const old = new Map(before.map((m) => [objectKey(m), m]));
  const next = new Set(after.map(objectKey));
  const phases: Record<PhaseKind, Manifest[]> = { prepare: [], route: [], retire: [], delete: [] };
  for (const m of after) {
    const previous = old.get(objectKey(m));
    // (A new object never equals `undefined`.)
    if (JSON.stringify(previous) === JSON.stringify(m)) {
      continue;
    }
    if (isRoute(m)) {
      phases.route.push(m);
    } else if (m.kind === 'DestinationRule') {
      const added = subsetNames(m).filter((s) => !subsetNames(previous).includes(s));
      const removed = subsetNames(previous).filter((s) => !subsetNames(m).includes(s));
      if (removed.length === 0) {
        phases.prepare.push(m);
      } else {
        if (added.length > 0) {
          // Add the new subsets first, keeping the ones routes may still name.
          const keep = subsetsOf(previous).filter((s) => removed.includes(s?.name));
          phases.prepare.push({ ...m, spec: { ...m.spec, subsets: [...subsetsOf(m), ...keep] } });
        }
        phases.retire.push(m);
      }
    } else if (WORKLOADS.has(m.kind) && previous !== undefined && (m.spec?.replicas ?? 1) < (previous.spec?.replicas ?? 1)) {
      phases.retire.push(m);
    } else {
      phases.prepare.push(m);
    }
  }
  for (const m of before) {
    if (!next.has(objectKey(m))) {
      phases.delete.push(m);
    }
  }
  return (Object.values(PhaseKind) as PhaseKind[])
    .filter((kind) => phases[kind].length > 0)
    .map((kind) => ({ kind, objects: phases[kind] }));
}

/** The live state after `phase` is carried out on `live`. */
export function applyPhase(live: readonly Manifest[], phase: Phase): Manifest[] {
  const keys = new Set(phase.objects.map(objectKey));
  if (phase.kind === PhaseKind.DELETE) {
    return live.filter((m) => !keys.has(objectKey(m)));
  }
  const updated = new Map(phase.objects.map((m) => [objectKey(m), m]));
  const result = live.map((m) => updated.get(objectKey(m)) ?? m);
  const present = new Set(live.map(objectKey));
  return [...result, ...phase.objects.filter((m) => !present.has(objectKey(m)))];
}
