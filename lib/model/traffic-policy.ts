import { Duration } from 'cdk8s';
import { checkDuration, durationText } from './duration';
import { percentProblem, retriesProblem } from '../mesh/istio-validation';
import { Percentage } from './percentage';
import { checkEnum, checkInteger, checkOptions, show } from './validate';

/*
 * Retries, faults and traffic policies as the routing model holds them: the options types below,
 * checked and with defaults resolved by the `check...` functions. Each API's renderer turns them
 * into its own objects (`lib/render/istio/traffic-policy.ts` for Istio); the Gateway API's
 * standard channel has none of them, and refuses them.
 */

/**
 * Conditions on which Envoy retries a request, as Istio's `retryOn` takes them.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on
 */
export enum RetryOn {
  /** Any 5xx response, or no response (reset, timeout). */
  SERVER_ERROR = '5xx',
  /** 502, 503 or 504. */
  GATEWAY_ERROR = 'gateway-error',
  /** No response at all. */
  RESET = 'reset',
  /** The connection could not be made. */
  CONNECT_FAILURE = 'connect-failure',
  /** The upstream refused the stream (HTTP/2 REFUSED_STREAM). */
  REFUSED_STREAM = 'refused-stream',
  /** 409 responses. */
  RETRIABLE_4XX = 'retriable-4xx',
  /** gRPC status UNAVAILABLE. */
  UNAVAILABLE = 'unavailable',
  /** gRPC status CANCELLED. */
  CANCELLED = 'cancelled',
  /** gRPC status DEADLINE_EXCEEDED. */
  DEADLINE_EXCEEDED = 'deadline-exceeded',
  /** gRPC status RESOURCE_EXHAUSTED. */
  RESOURCE_EXHAUSTED = 'resource-exhausted',
}

/** Retries of a route. */
export interface RetryOptions {
  /**
   * Attempts after the first one; 0 turns retries off (then `perTryTimeout` and `retryOn` must be
   * left out, or Istio's webhook rejects the VirtualService).
   */
  readonly attempts: number;
  /**
   * Timeout of each attempt.
   * @default - the route's timeout
   */
  readonly perTryTimeout?: Duration;
  /**
   * When to retry.
   * @default - Istio's default since 1.24: connect-failure, refused-stream, unavailable, cancelled
   * (503 responses are no longer retried by default)
   */
  readonly retryOn?: RetryOn[];
}

/** A fault injected into requests, to test how the canary and its clients cope. */
export interface FaultOptions {
  /**
   * Delay a share of requests.
   * @default - no delay
   */
  readonly delay?: { readonly fixedDelay: Duration; readonly percentage: Percentage };
  /**
   * Answer a share of requests with an HTTP error, without reaching the canary.
   * @default - no abort
   */
  readonly abort?: { readonly httpStatus: number; readonly percentage: Percentage };
}

/** Limits on connections to a version's pods. */
export interface ConnectionPoolOptions {
  /**
   * Maximum HTTP/1.1 or TCP connections to the destination.
   * @default - Istio's default (2^32-1)
   */
  readonly maxConnections?: number;
  /**
   * TCP connect timeout.
   * @default - Istio's default (10s)
   */
  readonly connectTimeout?: Duration;
  /**
   * Maximum requests waiting for a connection.
   * @default - Istio's default
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Maximum concurrent requests.
   * @default - Istio's default
   */
  readonly http2MaxRequests?: number;
  /**
   * Maximum requests per connection (1 disables keep-alive).
   * @default - unlimited
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Maximum concurrent retries to the version's pods, at least 1 (Istio takes 0 as not set).
   * @default - Envoy's default (no limit)
   */
  readonly maxRetries?: number;
}

/** Ejecting pods that keep failing from the load-balancing pool. */
export interface OutlierDetectionOptions {
  /**
   * Consecutive 5xx responses that eject a pod.
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * How often pods are scanned.
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;
  /**
   * Minimum ejection time (multiplied by the number of ejections).
   * @default Duration.seconds(30)
   */
  readonly baseEjectionTime?: Duration;
  /**
   * Most of the pool that may be ejected, in percent: 1 to 100 (Istio takes 0 as not set).
   * @default 10
   */
  readonly maxEjectionPercent?: number;
}

/** A DestinationRule traffic policy: for all versions, or for one version's subset. */
export interface TrafficPolicyOptions {
  /**
   * Connection limits.
   * @default - Istio's defaults
   */
  readonly connectionPool?: ConnectionPoolOptions;
  /**
   * Outlier detection.
   * @default - none
   */
  readonly outlierDetection?: OutlierDetectionOptions;
}

const COUNT_MAX = 2 ** 31 - 1;

function count(prop: string, value: number | undefined): number | undefined {
  return value === undefined ? undefined : checkInteger(prop, value, 1, COUNT_MAX);
}

function refuse(message: string): never {
  throw new Error(message);
}

function percentage(prop: string, value: Percentage): Percentage {
  if (!(value instanceof Percentage)) {
    throw new Error(`${prop} must be a Percentage (e.g. Percentage.of(10)), got ${show(value)}`);
  }
  const problem = percentProblem(value.value);
  if (problem !== undefined) {
    throw new Error(`${prop} ${problem}, got ${value}`);
  }
  return value;
}

function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** Checks retries; returns a copy holding only what was set. */
export function checkRetries(prop: string, retries: RetryOptions): RetryOptions {
  checkOptions(prop, retries, '{ attempts: 2 }');
  const attempts = checkInteger(`${prop}.attempts`, retries.attempts, 0, 100);
  const retryOn = retries.retryOn;
  if (retryOn !== undefined) {
    if (!Array.isArray(retryOn) || retryOn.length === 0) {
      throw new Error(`${prop}.retryOn must list at least one condition, got ${show(retryOn)}`);
    }
    retryOn.forEach((c, i) => checkEnum(`${prop}.retryOn[${i}]`, c, RetryOn));
  }
  const perTryTimeout = retries.perTryTimeout !== undefined ? checkDuration(`${prop}.perTryTimeout`, retries.perTryTimeout) : undefined;
  const shown = compact({ attempts, perTryTimeout: perTryTimeout && durationText(perTryTimeout), retryOn: retryOn?.join(',') });
  const problem = retriesProblem(shown);
  if (problem !== undefined) {
    throw new Error(`${prop}.${problem}, got ${show(shown)}`);
  }
  return compact({ attempts, perTryTimeout, retryOn: retryOn && [...retryOn] });
}

/** Checks a fault; returns a copy holding only what was set. */
export function checkFault(prop: string, fault: FaultOptions): FaultOptions {
  checkOptions(prop, fault, '{ abort: { httpStatus: 503, percentage: Percentage.of(1) } }');
  if (fault.delay === undefined && fault.abort === undefined) {
    throw new Error(`${prop} must have a delay, an abort or both, got ${show(fault)}`);
  }
  return compact({
    delay: fault.delay && {
      fixedDelay: checkDuration(`${prop}.delay.fixedDelay`, fault.delay.fixedDelay),
      percentage: percentage(`${prop}.delay.percentage`, fault.delay.percentage),
    },
    abort: fault.abort && {
      httpStatus: checkInteger(`${prop}.abort.httpStatus`, fault.abort.httpStatus, 200, 599),
      percentage: percentage(`${prop}.abort.percentage`, fault.abort.percentage),
    },
  });
}

/** Checks a traffic policy; returns a copy with outlier detection's defaults filled in. */
export function checkTrafficPolicy(prop: string, policy: TrafficPolicyOptions): TrafficPolicyOptions {
  checkOptions(prop, policy, '{ connectionPool: { maxConnections: 100 } }');
  const pool = policy.connectionPool;
  const outlier = policy.outlierDetection;
  if (pool === undefined && outlier === undefined) {
    throw new Error(`${prop} must set connectionPool, outlierDetection or both, got ${show(policy)}`);
  }
  const checkedPool: ConnectionPoolOptions | undefined = pool && compact({
    maxConnections: count(`${prop}.connectionPool.maxConnections`, pool.maxConnections),
    connectTimeout: pool.connectTimeout && checkDuration(`${prop}.connectionPool.connectTimeout`, pool.connectTimeout),
    http1MaxPendingRequests: count(`${prop}.connectionPool.http1MaxPendingRequests`, pool.http1MaxPendingRequests),
    http2MaxRequests: count(`${prop}.connectionPool.http2MaxRequests`, pool.http2MaxRequests),
    maxRequestsPerConnection: count(`${prop}.connectionPool.maxRequestsPerConnection`, pool.maxRequestsPerConnection),
    maxRetries: pool.maxRetries === 0
      // pilot applies maxRetries only above 0 (applyConnectionPool): 0 would leave Envoy's unlimited default.
      ? refuse(`${prop}.connectionPool.maxRetries must be a whole number of at least 1, got 0: Istio takes 0 as not set, which lets any number of retries run at once (Envoy's limit of 4294967295); to turn retries off, set retries.attempts to 0`)
      : count(`${prop}.connectionPool.maxRetries`, pool.maxRetries),
  });
  if (checkedPool !== undefined && Object.keys(checkedPool).length === 0) {
    throw new Error(`${prop}.connectionPool must set at least one limit, got ${show(pool)}`);
  }
  return compact({
    connectionPool: checkedPool,
    outlierDetection: outlier && {
      consecutive5xxErrors: count(`${prop}.outlierDetection.consecutive5xxErrors`, outlier.consecutive5xxErrors ?? 5),
      interval: checkDuration(`${prop}.outlierDetection.interval`, outlier.interval ?? Duration.seconds(10)),
      baseEjectionTime: checkDuration(`${prop}.outlierDetection.baseEjectionTime`, outlier.baseEjectionTime ?? Duration.seconds(30)),
      maxEjectionPercent: outlier.maxEjectionPercent === 0
        // pilot sets max_ejection_percent only above 0 (applyOutlierDetection): 0 would leave Envoy's 10%.
        ? refuse(`${prop}.outlierDetection.maxEjectionPercent must be a whole number between 1 and 100, got 0: Istio takes 0 as not set, and Envoy then ejects up to 10% of the pods; to eject no pod, leave outlierDetection out`)
        : checkInteger(`${prop}.outlierDetection.maxEjectionPercent`, outlier.maxEjectionPercent ?? 10, 1, 100),
    },
  });
}
