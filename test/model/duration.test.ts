import { Duration } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { istioDuration } from '../../lib/model/duration';

describe('istioDuration', () => {
  test('renders whole seconds as s and the rest as ms', () => {
    expect(istioDuration('timeout', Duration.seconds(5))).toBe('5s');
    expect(istioDuration('timeout', Duration.minutes(3))).toBe('180s');
    expect(istioDuration('timeout', Duration.millis(250))).toBe('250ms');
    expect(istioDuration('timeout', Duration.millis(1))).toBe('1ms');
  });

  test('fails if the duration is zero, below a millisecond or not a Duration', () => {
    expect(() => istioDuration('timeout', Duration.seconds(0))).toThrow('timeout must be a whole number of milliseconds, at least 1ms, got 0ms');
    expect(() => istioDuration('timeout', Duration.millis(0.5))).toThrow('got 0.5ms');
    expect(() => istioDuration('timeout', 5 as never)).toThrow('timeout must be a Duration (e.g. Duration.seconds(5)), got 5');
  });
});
