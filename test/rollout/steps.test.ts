import { describe, expect, test } from 'vitest';
import { RequestMatch, RolloutStep, RolloutStepKind, Weight } from '../../lib';

describe('RolloutStep', () => {
  test('each factory records its kind, name and settings, with defaults', () => {
    expect(RolloutStep.stableOnly()).toMatchObject({ kind: RolloutStepKind.STABLE_ONLY, name: undefined, settings: { subsets: true } });
    expect(RolloutStep.weight(Weight.percent(5))).toMatchObject({ kind: RolloutStepKind.WEIGHT, settings: { keepMatches: false } });
    expect(RolloutStep.rollback().settings).toEqual({ scaleCanaryToZero: false });
    const qa = RequestMatch.header('qa', 'x');
    expect(RolloutStep.headerOnly(qa, { name: 'qa' })).toMatchObject({ kind: RolloutStepKind.HEADER_ONLY, name: 'qa', settings: { matches: [qa] } });
    expect(RolloutStep.weight(Weight.percent(5)).toString()).toBe('weight 5%');
    expect(RolloutStep.promote().toString()).toBe('promote');
  });
});
