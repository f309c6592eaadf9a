import { describe, expect, test } from 'vitest';
import { Percentage } from '../../lib';

describe('Percentage', () => {
  test('holds fractional shares from 0 to 100', () => {
    expect(Percentage.of(12.5).value).toBe(12.5);
    expect(Percentage.of(0).toString()).toBe('0%');
    expect(Percentage.of(100).value).toBe(100);
  });

  test.each([-1, 100.1, Number.NaN, Infinity])('fails if the percentage is %d', (value) => {
    expect(() => Percentage.of(value)).toThrow('percentage must be a number between 0 and 100');
  });
});
