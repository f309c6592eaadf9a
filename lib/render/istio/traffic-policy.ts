import { durationText } from '../../model/duration';
import { checkFault, checkRetries, checkTrafficPolicy } from '../../model/traffic-policy';
import type { FaultOptions, RetryOptions, TrafficPolicyOptions } from '../../model/traffic-policy';

/** Retries of a rule, rendered as Istio's `HTTPRetry`. */
export interface RenderedRetries {
  /** Attempts after the first one. */
  readonly attempts: number;
  /**
   * Timeout of each attempt, e.g. `2s`.
   * @default - the route's timeout
   */
  readonly perTryTimeout?: string;
  /**
   * Comma-separated retry conditions.
   * @default - Istio's default conditions
   */
  readonly retryOn?: string;
}

/** Fault injection of a rule, rendered as Istio's `HTTPFaultInjection`. */
export interface RenderedFault {
  /**
   * Delay a share of requests.
   * @default - no delay
   */
  readonly delay?: { readonly fixedDelay: string; readonly percentage: { readonly value: number } };
  /**
   * Abort a share of requests with an HTTP status.
   * @default - no abort
   */
  readonly abort?: { readonly httpStatus: number; readonly percentage: { readonly value: number } };
}

function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Checked retries as Istio's `HTTPRetry`.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export function istioRetries(retries: RetryOptions): RenderedRetries {
  return {
    attempts: retries.attempts,
    ...(retries.perTryTimeout !== undefined ? { perTryTimeout: durationText(retries.perTryTimeout) } : {}),
    ...(retries.retryOn !== undefined ? { retryOn: retries.retryOn.join(',') } : {}),
  };
}

/**
 * A checked fault as Istio's `HTTPFaultInjection`.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
 */
export function istioFault(fault: FaultOptions): RenderedFault {
  return {
    ...(fault.delay !== undefined ? {
      delay: { fixedDelay: durationText(fault.delay.fixedDelay), percentage: { value: fault.delay.percentage.value } },
    } : {}),
    ...(fault.abort !== undefined ? {
      abort: { httpStatus: fault.abort.httpStatus, percentage: { value: fault.abort.percentage.value } },
    } : {}),
  };
}

/**
 * A checked traffic policy as Istio's DestinationRule `TrafficPolicy`.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy
 */
export function istioTrafficPolicy(policy: TrafficPolicyOptions): Record<string, unknown> {
  const pool = policy.connectionPool;
  const outlier = policy.outlierDetection;
  const tcp = pool && compact({
    maxConnections: pool.maxConnections,
    connectTimeout: pool.connectTimeout && durationText(pool.connectTimeout),
  });
  const http = pool && compact({
    http1MaxPendingRequests: pool.http1MaxPendingRequests,
    http2MaxRequests: pool.http2MaxRequests,
    maxRequestsPerConnection: pool.maxRequestsPerConnection,
    maxRetries: pool.maxRetries,
  });
  return compact({
    connectionPool: pool && compact({
      tcp: tcp && Object.keys(tcp).length > 0 ? tcp : undefined,
      http: http && Object.keys(http).length > 0 ? http : undefined,
    }),
    outlierDetection: outlier && compact({
      consecutive5xxErrors: outlier.consecutive5xxErrors,
      interval: outlier.interval && durationText(outlier.interval),
      baseEjectionTime: outlier.baseEjectionTime && durationText(outlier.baseEjectionTime),
      maxEjectionPercent: outlier.maxEjectionPercent,
    }),
  });
}

/** Istio's `HTTPRetry`: the checked retries, rendered. */
export function renderRetries(prop: string, retries: RetryOptions): RenderedRetries {
  return istioRetries(checkRetries(prop, retries));
}

/** Istio's `HTTPFaultInjection`: the checked fault, rendered. */
export function renderFault(prop: string, fault: FaultOptions): RenderedFault {
  return istioFault(checkFault(prop, fault));
}

/** Istio's `TrafficPolicy` (connection pool and outlier detection): the checked policy, rendered. */
export function renderTrafficPolicy(prop: string, policy: TrafficPolicyOptions): Record<string, unknown> {
  return istioTrafficPolicy(checkTrafficPolicy(prop, policy));
}
