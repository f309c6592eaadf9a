/**
 * What `kubectl apply` would make of a set of manifests, before any check: objects of the wrong
 * shape are refused, and an object given twice (same group, kind, namespace and name) is the last
 * copy applied.
 */
import { CODES, Finding, formatSource, Source } from './findings';
import { DEFAULT_NAMESPACE, GATEWAY_API_GROUP, Manifest } from './manifests';
import { checkShape, groupOf, isVerifiedKind } from './shape';
import { recordSource, sourceOf } from './source';

/** The manifests as the cluster would hold them, and what was set aside. */
export interface PreparedManifests {
  /** The objects to check: well-shaped Kubernetes objects, the last copy of each, in input order. */
  readonly manifests: Manifest[];
  /** `invalid-field` errors and `replaced-object` infos. */
  readonly findings: Finding[];
  /** Objects of the kinds the verification reads, by kind (invalid and replaced ones left out). */
  readonly verified: ReadonlyMap<string, number>;
  /** Objects of kinds it does not read, by kind (with the apiVersion where a verified kind has the same name). */
  readonly skipped: ReadonlyMap<string, number>;
  /** Documents that are not Kubernetes objects (no apiVersion or kind: Helm values, config files). */
  readonly notObjects: number;
  /** Objects refused for their shape. */
  readonly invalid: number;
  /** Earlier copies replaced by a later one. */
  readonly replaced: number;
}

/** A document that can be a Kubernetes object: a mapping with a string `apiVersion` and `kind`. */
function isObject(value: unknown): value is Manifest & { readonly apiVersion: string; readonly kind: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const { apiVersion, kind } = value as Manifest;
  return typeof apiVersion === 'string' && typeof kind === 'string';
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function at(source: Source | undefined): string {
  return source === undefined ? '' : ` at ${formatSource(source)}`;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Sets aside what the cluster would never hold: documents that are not Kubernetes objects, objects
 * of a kind the checks read whose fields have the wrong shape (reported as `invalid-field` errors,
 * with the field's path), and every copy of an object but the last (reported as a
 * `replaced-object` info naming both places).
 */
export function prepareManifests(input: readonly unknown[]): PreparedManifests {
  const findings: Finding[] = [];
  const kept: Array<Manifest | undefined> = [];
  const byIdentity = new Map<string, number>();
  const skipped = new Map<string, number>();
  let notObjects = 0;
  let invalid = 0;
  let replaced = 0;
  for (const given of input) {
    if (!isObject(given)) {
      notObjects++;
      continue;
    }
    const { errors, manifest } = checkShape(given);
    const m = manifest as typeof given; // the same object, or a copy without its null fields
    if (m !== given) {
      const source = sourceOf(given);
      if (source !== undefined) {
        recordSource(m, source);
      }
    }
    const verified = isVerifiedKind(m);
    if (errors.length > 0) {
      if (verified) {
        invalid++;
        const ref = { kind: m.kind, namespace: text(m.metadata?.namespace, DEFAULT_NAMESPACE), name: text(m.metadata?.name, '?') };
        for (const error of errors) {
          findings.push({
            severity: CODES['invalid-field'].severity,
            code: 'invalid-field',
            ...ref,
            message: `${error.message}; the API server or Istio refuses the object, so it is left out of the other checks`,
            ...withSource(m),
          });
        }
      } else {
        count(skipped, describeKind(m));
      }
      continue;
    }
    // Names, namespaces and kinds cannot hold a NUL character.
    const identity = `${groupOf(m.apiVersion)}\0${m.kind}\0${m.metadata?.namespace ?? DEFAULT_NAMESPACE}\0${m.metadata?.name}`;
    const earlier = typeof m.metadata?.name === 'string' ? byIdentity.get(identity) : undefined;
    if (earlier !== undefined) {
      const previous = kept[earlier]!;
      kept[earlier] = undefined;
      replaced++;
      if (verified) {
        findings.push({
          severity: CODES['replaced-object'].severity,
          code: 'replaced-object',
          kind: m.kind,
          namespace: m.metadata?.namespace ?? DEFAULT_NAMESPACE,
          name: m.metadata!.name!,
          message: `is given twice: this copy replaces the one${at(sourceOf(previous))}, as kubectl apply keeps the last one applied; only this copy is verified`,
          ...withSource(m),
        });
      }
    }
    byIdentity.set(identity, kept.length);
    kept.push(m);
  }
  const manifests = kept.filter((m): m is Manifest => m !== undefined);
  const verified = new Map<string, number>();
  for (const m of manifests) {
    if (isVerifiedKind(m)) {
      count(verified, verifiedKind(m));
    } else {
      count(skipped, describeKind(m));
    }
  }
  return { manifests, findings, verified, skipped, notObjects, invalid, replaced };
}

/** Kind names the verification reads in some group: others of the same name are told apart by their apiVersion. */
const VERIFIED_KIND_NAMES = new Set([
  'Service', 'Pod', 'Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Gateway', 'VirtualService', 'DestinationRule', 'ServiceEntry',
  // Read in some versions only (see shape.ts).
  'GRPCRoute', 'TLSRoute',
]);

/** The kind, with the Gateway API group for a Gateway API Gateway (to tell it from Istio's). */
function verifiedKind(m: Manifest): string {
  return m.kind === 'Gateway' && groupOf(m.apiVersion!) === GATEWAY_API_GROUP ? `Gateway (${GATEWAY_API_GROUP})` : m.kind!;
}

function describeKind(m: Manifest): string {
  return VERIFIED_KIND_NAMES.has(m.kind!) ? `${m.kind} (${m.apiVersion})` : m.kind!;
}

function withSource(m: Manifest): { source?: Source } {
  const source = sourceOf(m);
  return source === undefined ? {} : { source };
}
