import {
  checkConflicts, checkDelegates, checkDestinations, checkGatewayExports, checkUnexpandedHosts, checkGateways, checkRules, checkServicesAndWorkloads, checkSubsets,
} from './checks';
import { checkAmbientWaypoints, checkEnrollment } from './enrollment';
import { checkGatewayCertificates, checkGrpcAndTlsRoutes, checkHttpRoutes, checkIstioGatewayDeployments } from './gateway-api-checks';
import { Finding, Severity, sortFindings, Source } from './findings';
import { DEFAULT_NAMESPACE, Manifest, MeshIndex } from './manifests';
import { prepareManifests, PreparedManifests } from './prepare';
import { isVerifiedKind } from './shape';
import { sourceOf } from './source';
import { checkTrafficPolicies } from './traffic-findings';

/**
 * Verifies a set of manifests as a whole, offline: that every request a VirtualService routes
 * reaches a gateway, host and subset that exist and select pods.
 *
 * Takes plain objects, exactly what `kubectl apply` would receive (from synthesis or from YAML
 * written by hand), and judges them as the cluster would hold them: an object given twice counts
 * once, as its last copy, and an object whose fields have the wrong shape is reported and left out
 * (see `prepareManifests`). Kinds the checks do not use are ignored. Findings are sorted, each
 * distinct finding once, with the place of the object when it was read from a file.
 */
export function verifyManifests(manifests: readonly Manifest[]): Finding[] {
  return verifyPrepared(prepareManifests(manifests));
}

/** Verifies manifests already prepared (for callers that also need what was skipped). */
export function verifyPrepared(prepared: PreparedManifests): Finding[] {
  const index = new MeshIndex(prepared.manifests);
  const sources = new Map<string, Source>();
  for (const m of prepared.manifests) {
    const source = sourceOf(m);
    if (source !== undefined && isVerifiedKind(m)) {
      sources.set(JSON.stringify([m.kind, m.metadata?.namespace ?? DEFAULT_NAMESPACE, m.metadata?.name]), source);
    }
  }
  const found = [
    ...checkDestinations(index),
    ...checkUnexpandedHosts(index),
    ...checkGatewayExports(index),
    ...checkGateways(index),
    ...checkDelegates(index),
    ...checkSubsets(index),
    ...checkConflicts(index),
    ...checkRules(index),
    ...checkServicesAndWorkloads(index),
    ...checkHttpRoutes(index),
    ...checkGrpcAndTlsRoutes(index),
    ...checkGatewayCertificates(index),
    ...checkIstioGatewayDeployments(index),
    ...checkTrafficPolicies(prepared.manifests),
    ...checkEnrollment(index, prepared.manifests),
    ...checkAmbientWaypoints(index),
  ].map((f) => {
    const source = f.source ?? sources.get(JSON.stringify([f.kind, f.namespace, f.name]));
    return source === undefined ? f : { ...f, source };
  });
  return sortFindings([...prepared.findings, ...found]);
}

/** The errors among `findings`. */
export function errorsOf(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === Severity.ERROR);
}
