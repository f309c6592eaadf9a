import { Duration } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { Percentage, RetryOn } from '../../../lib';
import { istioFault, istioRetries, istioTrafficPolicy, renderFault, renderRetries, renderTrafficPolicy } from '../../../lib/render/istio/traffic-policy';
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

  test('refuses the zeros Istio takes as not set: maxRetries 0 (no limit) and maxEjectionPercent 0 (Envoy\'s 10%)', () => {
    // pilot's applyConnectionPool and applyOutlierDetection set these only above 0
    expect(() => checkTrafficPolicy('trafficPolicy', { connectionPool: { maxRetries: 0 } })).toThrow('trafficPolicy.connectionPool.maxRetries must be a whole number of at least 1, got 0: Istio takes 0 as not set, which lets any number of retries run at once');
    expect(() => checkTrafficPolicy('versionTrafficPolicies.v2', { outlierDetection: { maxEjectionPercent: 0 } })).toThrow('versionTrafficPolicies.v2.outlierDetection.maxEjectionPercent must be a whole number between 1 and 100, got 0: Istio takes 0 as not set, and Envoy then ejects up to 10% of the pods; to eject no pod, leave outlierDetection out');
    expect(checkTrafficPolicy('trafficPolicy', { connectionPool: { maxRetries: 1 }, outlierDetection: { maxEjectionPercent: 1 } })).toMatchObject({ connectionPool: { maxRetries: 1 }, outlierDetection: { maxEjectionPercent: 1 } });
  });

  test('a checked traffic policy has outlier detection\'s defaults filled in as Durations, and only the limits set', () => {
    const model = checkTrafficPolicy('trafficPolicy', { connectionPool: { maxRetries: 3 }, outlierDetection: {} });
    expect(Object.keys(model.connectionPool!)).toEqual(['maxRetries']);
    expect(model.outlierDetection?.interval?.toSeconds()).toBe(10);
    expect(model.outlierDetection?.baseEjectionTime?.toSeconds()).toBe(30);
    expect(istioTrafficPolicy(model)).toEqual({
      connectionPool: { http: { maxRetries: 3 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 10 },
    });
  });
});

describe('renderRetries', () => {
  test('renders attempts, per-try timeout and conditions as Istio HTTPRetry', () => {
    expect(renderRetries('retries', { attempts: 3, perTryTimeout: Duration.millis(500), retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE] }))
      .toEqual({ attempts: 3, perTryTimeout: '500ms', retryOn: 'gateway-error,connect-failure' });
    expect(renderRetries('retries', { attempts: 0 })).toEqual({ attempts: 0 });
  });

  test('fails on negative or fractional attempts, a zero per-try timeout, or an unknown condition', () => {
    expect(() => renderRetries('retries', { attempts: -1 })).toThrow('retries.attempts must be a whole number between 0 and 100, got -1');
    expect(() => renderRetries('retries', { attempts: 1.5 })).toThrow('got 1.5');
    expect(() => renderRetries('retries', { attempts: 2, perTryTimeout: Duration.seconds(0) })).toThrow('retries.perTryTimeout must be a whole number of milliseconds, at least 1ms and at most 2562047h (about 292 years, the longest Istio holds), got 0ms');
    expect(() => renderRetries('retries', { attempts: 2, retryOn: ['503' as RetryOn] })).toThrow('retries.retryOn[0] must be one of 5xx, gateway-error');
    expect(() => renderRetries('retries', { attempts: 2, retryOn: [] })).toThrow('retries.retryOn must list at least one condition, got []');
  });

  test('fails on retries of 0 attempts with retryOn or perTryTimeout, which Istio\'s webhook rejects', () => {
    expect(() => renderRetries('retries', { attempts: 0, retryOn: [RetryOn.SERVER_ERROR] }))
      .toThrow('retries.attempts of 0 turns retries off, so retryOn must not be set (Istio rejects them), got {"attempts":0,"retryOn":"5xx"}');
    expect(() => renderRetries('retries', { attempts: 0, perTryTimeout: Duration.seconds(2) }))
      .toThrow('retries.attempts of 0 turns retries off, so perTryTimeout must not be set (Istio rejects them), got {"attempts":0,"perTryTimeout":"2s"}');
  });
});

describe('renderFault', () => {
  test('renders a delay and an abort with their percentages', () => {
    expect(renderFault('canaryFault', {
      delay: { fixedDelay: Duration.seconds(2), percentage: Percentage.of(10) },
      abort: { httpStatus: 503, percentage: Percentage.of(0.5) },
    })).toEqual({
      delay: { fixedDelay: '2s', percentage: { value: 10 } },
      abort: { httpStatus: 503, percentage: { value: 0.5 } },
    });
  });

  test('fails on an empty fault, a zero delay, a bad status or a bare number as percentage', () => {
    expect(() => renderFault('canaryFault', {})).toThrow('canaryFault must have a delay, an abort or both, got {}');
    expect(() => renderFault('canaryFault', { delay: { fixedDelay: Duration.seconds(0), percentage: Percentage.of(1) } })).toThrow('canaryFault.delay.fixedDelay must be a whole number of milliseconds, at least 1ms');
    expect(() => renderFault('canaryFault', { abort: { httpStatus: 99, percentage: Percentage.of(1) } })).toThrow('canaryFault.abort.httpStatus must be a whole number between 200 and 599, got 99');
    expect(() => renderFault('canaryFault', { abort: { httpStatus: 503, percentage: 10 as never } })).toThrow('canaryFault.abort.percentage must be a Percentage (e.g. Percentage.of(10)), got 10');
  });

  test('fails on a fault percentage between 0 and 0.0001, which Istio\'s webhook rejects', () => {
    expect(() => renderFault('canaryFault', { abort: { httpStatus: 503, percentage: Percentage.of(0.00005) } }))
      .toThrow('canaryFault.abort.percentage must be 0 or between 0.0001 and 100 (Istio\'s limits), got 0.00005%');
    expect(renderFault('canaryFault', { delay: { fixedDelay: Duration.seconds(1), percentage: Percentage.of(0.0001) } }).delay?.percentage).toEqual({ value: 0.0001 });
  });
});

describe('renderTrafficPolicy', () => {
  test('renders connection pool limits and outlier detection with its defaults', () => {
    expect(renderTrafficPolicy('trafficPolicy', {
      connectionPool: { maxConnections: 100, connectTimeout: Duration.millis(300), http2MaxRequests: 1000, maxRetries: 3 },
      outlierDetection: { consecutive5xxErrors: 3 },
    })).toEqual({
      connectionPool: { tcp: { maxConnections: 100, connectTimeout: '300ms' }, http: { http2MaxRequests: 1000, maxRetries: 3 } },
      outlierDetection: { consecutive5xxErrors: 3, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 10 },
    });
  });

  test('fails on an empty policy or pool, a zero limit, a zero duration, or an ejection share over 100', () => {
    expect(() => renderTrafficPolicy('trafficPolicy', {})).toThrow('trafficPolicy must set connectionPool, outlierDetection or both, got {}');
    expect(() => renderTrafficPolicy('trafficPolicy', { connectionPool: {} })).toThrow('trafficPolicy.connectionPool must set at least one limit, got {}');
    expect(() => renderTrafficPolicy('trafficPolicy', { connectionPool: { maxConnections: 0 } })).toThrow('trafficPolicy.connectionPool.maxConnections must be a whole number between 1 and 2147483647, got 0');
    expect(() => renderTrafficPolicy('trafficPolicy', { outlierDetection: { interval: Duration.seconds(0) } })).toThrow('trafficPolicy.outlierDetection.interval must be a whole number of milliseconds, at least 1ms');
    expect(() => renderTrafficPolicy('trafficPolicy', { outlierDetection: { maxEjectionPercent: 150 } })).toThrow('trafficPolicy.outlierDetection.maxEjectionPercent must be a whole number between 1 and 100, got 150');
  });
});
