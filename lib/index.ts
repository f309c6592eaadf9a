/*
 * The public API of cdk8s-istio-canary: only what is named here is part of it. Every type that
 * appears in a public signature is exported too. The API report (api/cdk8s-istio-canary.api.md,
 * `npm run api`) shows every change to this list in review; `npm run api:check` fails on drift.
 */

// Constructs.
export { Website, WebProtocol, APP_LABEL, VERSION_LABEL } from './constructs/website';
export type { WebsiteProps, WebsiteVersion, WebsiteVersionOptions } from './constructs/website';
export {
  DEFAULT_CPU_LIMIT, DEFAULT_CPU_REQUEST, DEFAULT_MEMORY_LIMIT, DEFAULT_MEMORY_REQUEST, LinuxCapability,
} from './constructs/workload-defaults';
export { IstioEntry, GatewayProtocol, TlsMode, MESH_GATEWAY, USE_WAYPOINT_LABEL } from './constructs/istio-entry';
export type { EntryTlsOptions, GatewayServer, GatewayTls, IHttpRouteSource, IstioEntryProps } from './constructs/istio-entry';
export { CanaryRelease, MeshRouting } from './constructs/canary-release';
export type { CanaryReleaseProps, CanaryRoutingOptions, StickySessionOptions } from './constructs/canary-release';
export { MeshNamespace, MeshEnrollment } from './constructs/mesh-namespace';
export type { MeshNamespaceProps } from './constructs/mesh-namespace';
export { MeshVerification } from './constructs/mesh-verification';
export type { ExternalServiceOptions } from './constructs/mesh-verification';

// Values and the routing model the constructs take and give.
export { Weight } from './model/weight';
export { Percentage } from './model/percentage';
export { RequestMatch, StringMatch, StringMatchKind } from './model/match';
export type { MatchableRequest } from './model/match';
export { TrafficApi } from './model/traffic-api';
export { RetryOn } from './model/traffic-policy';
export type {
  ConnectionPoolOptions, FaultOptions, OutlierDetectionOptions, RetryOptions, TrafficPolicyOptions,
} from './model/traffic-policy';
export type { HttpRule, RouteDestination } from './model/routing';

// Rollout plans.
export { RolloutPlan, PlanLayout } from './rollout/plan';
export type { PlanReleaseOptions, PlanStage, PlanWriteOptions, RolloutPlanProps } from './rollout/plan';
export { RolloutStep, RolloutStepKind } from './rollout/steps';
export type {
  CanaryReplicasOptions, RollbackOptions, RolloutStepOptions, RolloutStepSettings, StableOnlyOptions, WeightStepOptions,
} from './rollout/steps';
export type { StageState, StageVersion } from './rollout/stages';
export { PhaseKind } from './rollout/transition';
export type { Phase } from './rollout/transition';
export { SYNC_WAVE_ANNOTATION } from './rollout/argocd';

// Verification, explanation and diagrams of plain manifests (what the command line runs).
export type { Manifest, ObjectRef } from './mesh/manifests';
export type { RequestDescription } from './mesh/http-match';
export { Severity, formatFinding } from './mesh/findings';
export type { Finding, Source } from './mesh/findings';
export { verifyManifests } from './mesh/verify';
export { explain, formatExplanation, ExplainError } from './mesh/explain';
export type { ExplainedDestination, ExplainedRedirect, ExplainedWorkload, Explanation, ExplainOptions } from './mesh/explain';
export { mermaidDiagram } from './mesh/diagram';
