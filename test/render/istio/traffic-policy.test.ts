import { Duration } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { Percentage, RetryOn } from '../../../lib';
import { istioFault, istioRetries, istioTrafficPolicy } from '../../../lib/render/istio/traffic-policy';
import { checkFault, checkRetries, checkTrafficPolicy } from '../../../lib/model/traffic-policy';

describe('the checked model and its Istio rendering', () => {
  test('checked retries keep typed values (a Duration, the conditions); Istio writes them as strings', () => {
    // GIVEN
    const model = checkRetries('retries', { attempts: 2, perTryTimeout: Duration.millis(1500), retryOn: [RetryOn.RESET, RetryOn.CONNECT_FAILURE] });
    // THEN
    expect(model.perTryTimeout?.toMilliseconds()).toBe(1500);
    expect(model.retryOn).toEqual(['reset', 'connect-failure']);
    expect(istioRetries(model)).toEqual({ attempts: 2, perTryTimeout: '1500ms', retryOn: 'reset,connect-failure' });
  });

  test('a checked fault keeps Percentages; Istio writes percentage.value', () => {
    const model = checkFault('canaryFault', { delay: { fixedDelay: Duration.seconds(2), percentage: Percentage.of(5) } });
    expect(model.delay?.percentage).toBeInstanceOf(Percentage);
    expect(model.abort).toBeUndefined();
    expect(istioFault(model)).toEqual({ delay: { fixedDelay: '2s', percentage: { value: 5 } } });
  });

  test('a checked traffic policy has outlier detection\'s defaults filled in as Durations, and only the limits set', () => {
    const model = checkTrafficPolicy('trafficPolicy', { connectionPool: { maxRetries: 0 }, outlierDetection: {} });
    expect(Object.keys(model.connectionPool!)).toEqual(['maxRetries']);
    expect(model.outlierDetection?.interval?.toSeconds()).toBe(10);
    expect(model.outlierDetection?.baseEjectionTime?.toSeconds()).toBe(30);
    expect(istioTrafficPolicy(model)).toEqual({
      connectionPool: { http: { maxRetries: 0 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 10 },
    });
  });
});
