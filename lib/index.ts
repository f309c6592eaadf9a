export * from './weight';
export * from './match';
export * from './routing';
export * from './website';
export {
  DEFAULT_CPU_LIMIT, DEFAULT_CPU_REQUEST, DEFAULT_MEMORY_LIMIT, DEFAULT_MEMORY_REQUEST, LinuxCapability,
} from './workload-defaults';
export * from './mesh-namespace';
export * from './mesh-verification';
export * from './istio-entry';
export * from './canary-release';
export * from './rollout/steps';
export * from './rollout/stages';
export * from './rollout/transition';
export * from './rollout/argocd';
export * from './rollout-plan';
export * from './mesh/findings';
export * from './mesh/manifests';
export * from './mesh/verify';
export * from './mesh/explain';
export * from './mesh/diagram';
export * from './percentage';
export * from './traffic-policy';
