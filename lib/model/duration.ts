import { Duration } from 'cdk8s';
import { durationProblem } from '../mesh/istio-validation';
import { show } from './validate';

/** What a duration prop takes. */
export enum DurationKind {
  /** Whole milliseconds, at least 1 ms, as Istio's CRDs and validation webhook (and the Gateway API) take durations. */
  MILLISECONDS = 'milliseconds',
  /** Whole seconds, at least 1 s (a cookie's `Max-Age`). */
  SECONDS = 'seconds',
  /** Any positive length (a pause). */
  POSITIVE = 'positive',
}

/**
 * The one check of duration props: a cdk8s `Duration` of the kind the prop takes.
 *
 * @param prop the prop, for the error message
 * @returns the duration, checked
 */
export function checkDuration(prop: string, duration: Duration, kind: DurationKind = DurationKind.MILLISECONDS): Duration {
  if (!(duration instanceof Duration)) {
    throw new Error(`${prop} must be a Duration (e.g. Duration.seconds(5)), got ${show(duration)}`);
  }
  const ms = duration.toMilliseconds({ integral: false });
  if (kind === DurationKind.MILLISECONDS && durationProblem(ms) !== undefined) {
    throw new Error(`${prop} must be a whole number of milliseconds, at least 1ms and at most 2562047h (about 292 years, the longest Istio holds), got ${ms}ms`);
  }
  if (kind === DurationKind.SECONDS && (!(ms >= 1000) || ms % 1000 !== 0 || durationProblem(ms) !== undefined)) {
    throw new Error(`${prop} must be a Duration of whole seconds, at least 1 second, got ${ms}ms`);
  }
  if (kind === DurationKind.POSITIVE && !(ms > 0)) {
    throw new Error(`${prop} must be a positive Duration, got ${ms}ms`);
  }
  return duration;
}

/** A checked duration as Istio writes it: whole seconds as `5s`, the rest as `250ms`. */
export function durationText(duration: Duration): string {
  const ms = duration.toMilliseconds({ integral: false });
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Renders a cdk8s `Duration` as Istio takes it (`5s`, `250ms` style), after checking that it
 * is at least 1 ms and whole milliseconds, as Istio's CRDs and validation webhook require.
 *
 * @param prop the prop, for the error message
 */
export function istioDuration(prop: string, duration: Duration): string {
  return durationText(checkDuration(prop, duration));
}
