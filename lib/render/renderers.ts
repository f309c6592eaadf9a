import { GATEWAY_API_RENDERER } from './gateway-api/renderer';
import { ISTIO_RENDERER } from './istio/renderer';
import type { TrafficRenderer } from './renderer';
import { TrafficApi } from '../model/traffic-api';

/** The renderer of each API: a new API is a folder under lib/render/ and a line here. */
export const RENDERERS: Record<TrafficApi, TrafficRenderer> = {
  [TrafficApi.ISTIO]: ISTIO_RENDERER,
  [TrafficApi.GATEWAY_API]: GATEWAY_API_RENDERER,
};

/** The renderer that writes `api`'s objects. */
export function rendererFor(api: TrafficApi): TrafficRenderer {
  return RENDERERS[api];
}
