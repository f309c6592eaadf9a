/**
 * Names that Kubernetes and Istio reserve, written once for every layer.
 */

/** The reserved gateway name that makes a VirtualService apply to in-mesh traffic. */
export const MESH_GATEWAY = 'mesh';

/** The namespace objects without one are applied to. */
export const DEFAULT_NAMESPACE = 'default';
