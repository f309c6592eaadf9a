import { Chart, Testing } from 'cdk8s';
import { schemaErrors } from './schema';

/** A synthesized object, as `kubectl apply` receives it. */
export type Manifest = any;

/** Synthesizes `chart` (running its validations) and returns its objects. */
export function synth(chart: Chart): Manifest[] {
  return Testing.synth(chart);
}

/** The one object of `kind` called `name`; fails the test when there is not exactly one. */
export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && m.metadata?.name === name);
  if (found.length !== 1) {
    const have = manifests.map((m) => `${m.kind}/${m.metadata?.name}`).join(', ');
    throw new Error(`expected one ${kind}/${name}, found ${found.length} among ${have}`);
  }
  return found[0];
}

/** Every object of `kind`. */
export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

/** Schema errors of every object, flattened: `[]` when the API server would take them all. */
export function allSchemaErrors(manifests: Manifest[]): string[] {
  return manifests.flatMap((m) => schemaErrors(m));
}
