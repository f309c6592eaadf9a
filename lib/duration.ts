import { Duration } from 'cdk8s';
import { durationProblem } from './mesh/istio-validation';
import { show } from './validate';

/**
 * Renders a cdk8s `Duration` as Istio takes it (`5s`, `250ms`, `3m` style), after checking that it
 * is at least 1 ms and whole milliseconds, as Istio's CRDs and validation webhook require.
 *
 * @param prop the prop, for the error message
 */
export function istioDuration(prop: string, duration: Duration): string {
  if (!(duration instanceof Duration)) {
    throw new Error(`${prop} must be a Duration (e.g. Duration.seconds(5)), got ${show(duration)}`);
  }
  const ms = duration.toMilliseconds({ integral: false });
  if (durationProblem(ms) !== undefined) {
    throw new Error(`${prop} must be a whole number of milliseconds, at least 1ms, got ${ms}ms`);
  }
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
