import { describe, expect, test } from 'vitest';
import { Weight } from '../../lib';

describe('Weight', () => {
  test('holds a whole percentage and its complement', () => {
    // WHEN
    const weight = Weight.percent(20);
    // THEN
    expect(weight.percent).toBe(20);
    expect(weight.complement().percent).toBe(80);
    expect(weight.toString()).toBe('20%');
  });

  test('accepts the bounds 0 and 100', () => {
    expect(Weight.percent(0).percent).toBe(0);
    expect(Weight.percent(100).percent).toBe(100);
    expect(Weight.NONE.percent).toBe(0);
    expect(Weight.ALL.percent).toBe(100);
  });

  test.each([120, -1, 101])('fails if the weight is outside 0-100 (%d)', (value) => {
    expect(() => Weight.percent(value)).toThrow(`weight must be a whole number between 0 and 100, got ${value}`);
  });

  test('fails if the weight is fractional', () => {
    expect(() => Weight.percent(12.5)).toThrow('weight must be a whole number between 0 and 100, got 12.5');
  });

  test('fails if the weight is not a number', () => {
    expect(() => Weight.percent('20' as unknown as number)).toThrow('weight must be a whole number between 0 and 100, got "20"');
    expect(() => Weight.percent(Number.NaN)).toThrow('got null');
  });
});
