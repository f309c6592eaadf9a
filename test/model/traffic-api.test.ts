import { describe, expect, test } from 'vitest';
import { TrafficApi, unsupportedFeature } from '../../lib/model/traffic-api';

describe('unsupportedFeature', () => {
  test('names the feature, the API, what it lacks and the alternative, in one lower-case line', () => {
    expect(unsupportedFeature('retries', TrafficApi.GATEWAY_API, 'no retry field', 'use the Istio API').message)
      .toBe('retries is not supported with the Gateway API v1.5.1 standard channel (no retry field); use the Istio API');
    expect(unsupportedFeature('x', TrafficApi.ISTIO, 'why', 'what').message).toBe('x is not supported with the Istio API (why); what');
  });
});
