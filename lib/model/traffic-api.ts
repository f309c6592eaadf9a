/**
 * The routing API that an entry's objects are written for. Both render the same routing model
 * (the rules of `lib/model/routing.ts`, the entry's servers), each through its renderer under `lib/render/`; a feature that the chosen API cannot
 * express is refused when it is asked for, never dropped.
 */
export enum TrafficApi {
  /**
   * Istio's own API: Gateway, VirtualService and DestinationRule (`networking.istio.io/v1`).
   * @see https://istio.io/latest/docs/reference/config/networking/
   */
  ISTIO = 'istio',
  /**
   * The Kubernetes Gateway API, v1.5.1 standard channel: Gateway and HTTPRoute
   * (`gateway.networking.k8s.io/v1`), and one Service per version. What Istio recommends for new
   * installations, and what ambient mode's waypoints route with.
   * @see https://gateway-api.sigs.k8s.io/reference/spec/
   */
  GATEWAY_API = 'gateway-api',
}

/** How messages name each API. */
export const TRAFFIC_API_NAMES: Record<TrafficApi, string> = {
  [TrafficApi.ISTIO]: 'the Istio API',
  [TrafficApi.GATEWAY_API]: 'the Gateway API v1.5.1 standard channel',
};

/**
 * The error for a feature that `api` cannot express: it names the feature as the user wrote it,
 * the API, why, and what to do instead.
 *
 * @param feature the prop or value, as the user wrote it
 * @param api the API that cannot express it
 * @param why what the API lacks
 * @param alternative what to do instead
 */
export function unsupportedFeature(feature: string, api: TrafficApi, why: string, alternative: string): Error {
  return new Error(`${feature} is not supported with ${TRAFFIC_API_NAMES[api]} (${why}); ${alternative}`);
}

/** The usual alternative for what only Istio's API expresses. */
export const USE_ISTIO_API = 'use api: TrafficApi.ISTIO on the IstioEntry, which renders it as Istio\'s own objects';
