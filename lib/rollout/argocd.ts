/**
 * A transition as one Argo CD sync: the whole desired state, each object annotated with the sync
 * wave of its phase, so that Argo CD applies the phases in order and waits for each wave to be
 * healthy (a Deployment once it is rolled out) before the next one.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
import { Manifest } from '../mesh/manifests';
import { objectKey, Phase, PhaseKind } from './transition';

/** The annotation Argo CD orders a sync by. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * The wave of each phase. Objects the transition leaves unchanged go in the first wave (applying
 * them changes nothing). Deletions are not in the folder: Argo CD prunes them, after every wave
 * with the Application's `PruneLast=true` sync option.
 */
export const SYNC_WAVES: Readonly<Record<Exclude<PhaseKind, PhaseKind.DELETE>, number>> = {
  [PhaseKind.PREPARE]: 0,
  [PhaseKind.ROUTE]: 1,
  [PhaseKind.RETIRE]: 2,
};

/**
 * Every object of the stage (`manifests`), annotated with the sync wave of the phase that changes
 * it (`phases`: the transition from the previous stage).
 *
 * @param where the stage, for the error message
 * @throws if an object changes in two phases (a DestinationRule that both gains and loses subsets):
 *   one sync holds one state of each object; split the stage in two
 */
export function withSyncWaves(where: string, manifests: readonly Manifest[], phases: readonly Phase[]): Manifest[] {
  const waves = new Map<string, number>();
  for (const phase of phases) {
    if (phase.kind === PhaseKind.DELETE) {
      continue;
    }
    for (const m of phase.objects) {
      const key = objectKey(m);
      if (waves.has(key)) {
        throw new Error(`${where}: ${m.kind} ${m.metadata?.name} changes in two phases (it gains subsets before the routes change and loses others after), which one Argo CD sync cannot do: make the stage two steps`);
      }
      waves.set(key, SYNC_WAVES[phase.kind]);
    }
  }
  return manifests.map((m) => {
    // Manifest leaves annotations out of its type; the objects have them as synthesized.
    const metadata: Manifest['metadata'] & { annotations?: Record<string, string> } = m.metadata ?? {};
    return {
      ...m,
      metadata: {
        ...metadata,
        annotations: { ...metadata.annotations, [SYNC_WAVE_ANNOTATION]: String(waves.get(objectKey(m)) ?? SYNC_WAVES[PhaseKind.PREPARE]) },
      },
    };
  });
}
