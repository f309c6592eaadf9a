import { Duration } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { checkDuration, DurationKind, istioDuration } from '../../lib/model/duration';

describe('istioDuration', () => {
  test('renders whole seconds as s and the rest as ms', () => {
    expect(istioDuration('timeout', Duration.seconds(5))).toBe('5s');
    expect(istioDuration('timeout', Duration.minutes(3))).toBe('180s');
    expect(istioDuration('timeout', Duration.millis(250))).toBe('250ms');
    expect(istioDuration('timeout', Duration.millis(1))).toBe('1ms');
  });

  test('fails if the duration is zero, below a millisecond or not a Duration', () => {
    expect(() => istioDuration('timeout', Duration.seconds(0))).toThrow('timeout must be a whole number of milliseconds, at least 1ms and at most 2562047h (about 292 years, the longest Istio holds), got 0ms');
    expect(() => istioDuration('timeout', Duration.millis(0.5))).toThrow('got 0.5ms');
    expect(() => istioDuration('timeout', 5 as never)).toThrow('timeout must be a Duration (e.g. Duration.seconds(5)), got 5');
    // longer than Go's time.Duration holds: the CRD's CEL rule cannot parse it
    expect(() => istioDuration('timeout', Duration.days(400000))).toThrow('timeout must be a whole number of milliseconds, at least 1ms and at most 2562047h (about 292 years, the longest Istio holds), got 34560000000000ms');
    expect(istioDuration('timeout', Duration.days(100000))).toBe('8640000000s');
  });
});

describe('checkDuration', () => {
  test('whole seconds, for a cookie\'s Max-Age', () => {
    expect(checkDuration('maxAge', Duration.minutes(1), DurationKind.SECONDS).toSeconds()).toBe(60);
    expect(() => checkDuration('maxAge', Duration.millis(1500), DurationKind.SECONDS)).toThrow('maxAge must be a Duration of whole seconds, at least 1 second, got 1500ms');
    expect(() => checkDuration('maxAge', Duration.millis(500), DurationKind.SECONDS)).toThrow('got 500ms');
  });

  test('any positive length, for a pause', () => {
    expect(checkDuration('pause', Duration.millis(0.5), DurationKind.POSITIVE).toMilliseconds({ integral: false })).toBe(0.5);
    expect(() => checkDuration('pause', Duration.seconds(0), DurationKind.POSITIVE)).toThrow('pause must be a positive Duration, got 0ms');
  });

  test('fails if it is not a Duration, whatever the kind', () => {
    for (const kind of Object.values(DurationKind)) {
      expect(() => checkDuration('d', '5s' as never, kind)).toThrow('d must be a Duration (e.g. Duration.seconds(5)), got "5s"');
    }
  });
});
