import {
  checkConflicts, checkDestinations, checkGateways, checkRules, checkServicesAndWorkloads, checkSubsets,
} from './checks';
import { checkEnrollment, checkGatewayConflicts } from './enrollment';
import { compareFindings, Finding, Severity } from './findings';
import { Manifest, MeshIndex } from './manifests';

/**
 * Verifies a set of manifests as a whole, offline: that every request a VirtualService routes
 * reaches a gateway, host and subset that exist and select pods.
 *
 * Takes plain objects, exactly what `kubectl apply` would receive (from synthesis or from YAML
 * written by hand). Kinds the checks do not use are ignored.
 */
export function verifyManifests(manifests: readonly Manifest[]): Finding[] {
  const index = new MeshIndex(manifests);
  return [
    ...checkDestinations(index),
    ...checkGateways(index),
    ...checkSubsets(index),
    ...checkConflicts(index),
    ...checkRules(index),
    ...checkServicesAndWorkloads(index),
    ...checkEnrollment(index, manifests), ...checkGatewayConflicts(manifests),
  ].sort(compareFindings);
}

/** The errors among `findings`. */
export function errorsOf(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === Severity.ERROR);
}
