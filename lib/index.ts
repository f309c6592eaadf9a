export * from './model/weight';
export * from './model/match';
export * from './model/routing';
export * from './constructs/website';
export {
  DEFAULT_CPU_LIMIT, DEFAULT_CPU_REQUEST, DEFAULT_MEMORY_LIMIT, DEFAULT_MEMORY_REQUEST, LinuxCapability,
} from './constructs/workload-defaults';
export * from './constructs/mesh-namespace';
export * from './constructs/mesh-verification';
export * from './constructs/istio-entry';
export * from './constructs/canary-release';
export * from './rollout/steps';
export * from './rollout/stages';
export * from './rollout/transition';
export * from './rollout/argocd';
export * from './rollout/plan';
export * from './mesh/findings';
export * from './mesh/manifests';
export * from './mesh/verify';
export * from './mesh/explain';
export * from './mesh/diagram';
export * from './model/percentage';
export * from './model/traffic-policy';
