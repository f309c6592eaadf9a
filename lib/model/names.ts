/**
 * Names that Kubernetes and Istio reserve, written once for every layer.
 */

/** The reserved gateway name that makes a VirtualService apply to in-mesh traffic. */
export const MESH_GATEWAY = 'mesh';

/** The namespace objects without one are applied to. */
export const DEFAULT_NAMESPACE = 'default';

/**
 * The `namespace/name` of a Gateway as a VirtualService of `namespace` names it, in its
 * `gateways` or a match's (pilot's `resolveGatewayName`): a short name is a Gateway of that
 * namespace; `ns/name` stays as written (`./name` is the namespace's, though Istio's validation
 * refuses it); the legacy `name.ns.svc.cluster.local` (or `name.ns`) is `ns/name`. `mesh` stays `mesh`.
 */
export function resolveGatewayName(name: string, namespace: string): string {
  if (name === MESH_GATEWAY) {
    return name;
  }
  const slash = name.indexOf('/');
  if (slash >= 0) {
    return name.slice(0, slash) === '.' ? `${namespace}/${name.slice(slash + 1)}` : name;
  }
  const dot = name.indexOf('.');
  if (dot < 0) {
    return `${namespace}/${name}`;
  }
  const rest = name.slice(dot + 1);
  const next = rest.indexOf('.');
  return `${next < 0 ? rest : rest.slice(0, next)}/${name.slice(0, dot)}`;
}

/** The GatewayClass of Istio's own gateways: Istio deploys a gateway for each Gateway API Gateway of it. */
export const ISTIO_GATEWAY_CLASS = 'istio';
