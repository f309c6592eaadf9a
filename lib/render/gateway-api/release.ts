import { RequestMatch } from '../../model/match';
import { TrafficApi, unsupportedFeature, USE_ISTIO_API } from '../../model/traffic-api';
import type { HttpRule } from '../../model/routing';
import { checkGatewayApiMatch, checkGatewayApiOrder, MAX_MATCHES } from './routes';
import type { ReleaseApiProps } from '../renderer';

const API = TrafficApi.GATEWAY_API;

/**
 * Refuses, at once, what a release asks for that the Gateway API v1.5.1 standard channel cannot
 * express, naming the prop and the alternative.
 */
export function checkGatewayApiRelease(props: ReleaseApiProps, canaryMatches: readonly RequestMatch[], rules: readonly HttpRule[]): void {
  if (props.retries !== undefined) {
    throw unsupportedFeature('retries', API, 'HTTPRoute has no retry field in the standard channel (only in the experimental one)', USE_ISTIO_API);
  }
  if (props.canaryFault !== undefined) {
    throw unsupportedFeature('canaryFault', API, 'HTTPRoute has no fault injection', USE_ISTIO_API);
  }
  if (props.trafficPolicy !== undefined) {
    throw unsupportedFeature('trafficPolicy', API, 'connection pools and outlier detection are DestinationRule settings, and the Gateway API has no such object', USE_ISTIO_API);
  }
  if (props.versionTrafficPolicies !== undefined) {
    throw unsupportedFeature('versionTrafficPolicies', API, 'connection pools and outlier detection are DestinationRule settings, and the Gateway API has no such object', USE_ISTIO_API);
  }
  if (props.destinationRuleName !== undefined) {
    throw unsupportedFeature('destinationRuleName', API, 'the HTTPRoutes send to one Service per version, not to DestinationRule subsets', 'leave destinationRuleName out');
  }
  if (canaryMatches.length > MAX_MATCHES) {
    throw unsupportedFeature(`canaryMatches with ${canaryMatches.length} matches`, API, `an HTTPRoute rule holds at most ${MAX_MATCHES}`, `use fewer, broader matches, or ${USE_ISTIO_API}`);
  }
  canaryMatches.forEach((match, i) => checkGatewayApiMatch(`canaryMatches[${i}]`, match));
  checkGatewayApiOrder(rules);
}
