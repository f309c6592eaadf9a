import { describe, expect, test } from 'vitest';
import { Percentage, RequestMatch, RolloutStep, RolloutStepKind, Weight } from '../../lib';
import { planStages, StageCapacity } from '../../lib/rollout/stages';

const qa = RequestMatch.header('qa', 'canary-test');
const plan = (steps: RolloutStep[], extra: { requireTrafficBeforePromote?: boolean } = {}) =>
  planStages({ versions: ['v1', 'v2'], stable: 'v1', canary: 'v2', steps, ...extra });

describe('planStages', () => {
  test('a full release: each step a stage with its routing, folders numbered', () => {
    // WHEN
    const { before, stages } = plan([
      RolloutStep.deployCanary(), RolloutStep.headerOnly(qa), RolloutStep.weight(Weight.percent(5), { keepMatches: true }),
      RolloutStep.weight(Weight.percent(50)), RolloutStep.promote(), RolloutStep.finalize(),
    ]);
    // THEN
    expect(before).toMatchObject({ index: 0, stable: 'v1', deployed: [{ name: 'v1' }], subsets: true });
    expect(stages.map((s) => [s.folder, s.stable, s.canary, s.deployed.map((d) => d.name).join('+'), s.canaryMatches.length, s.canaryWeight.percent])).toEqual([
      ['01-deploy-canary', 'v1', 'v2', 'v1+v2', 0, 0],
      ['02-header-only', 'v1', 'v2', 'v1+v2', 1, 0],
      ['03-weight-5', 'v1', 'v2', 'v1+v2', 1, 5],
      ['04-weight-50', 'v1', 'v2', 'v1+v2', 0, 50],
      ['05-promote', 'v1', 'v2', 'v1+v2', 0, 100],
      ['06-finalize', 'v2', undefined, 'v2', 0, 0],
    ]);
  });

  test('a plan that starts with stableOnly starts from an empty cluster, and may add subsets in a second step', () => {
    const { before, stages } = plan([RolloutStep.stableOnly({ subsets: false }), RolloutStep.stableOnly(), RolloutStep.deployCanary()]);
    expect(before).toBeUndefined();
    expect(stages.map((s) => [s.name, s.subsets])).toEqual([['stable', false], ['stable-subset', true], ['deploy-canary', true]]);
  });

  test('rollback sends everything back to stable; with scale-down, the canary goes to 0 in a stage of its own', () => {
    const { stages } = plan([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(20)), RolloutStep.rollback({ scaleCanaryToZero: true })]);
    expect(stages.slice(2).map((s) => [s.name, s.kind, s.canaryWeight.percent, s.deployed])).toEqual([
      ['rollback', RolloutStepKind.ROLLBACK, 0, [{ name: 'v1' }, { name: 'v2' }]],
      ['rollback-scale-down', RolloutStepKind.ROLLBACK, 0, [{ name: 'v1' }, { name: 'v2', replicas: 0 }]],
    ]);
  });

  test('names can be given', () => {
    expect(plan([RolloutStep.deployCanary({ name: 'canary-deployed' })]).stages[0].folder).toBe('01-canary-deployed');
  });

  describe('bad plans', () => {
    test('fails if traffic goes to the canary before it is deployed', () => {
      expect(() => plan([RolloutStep.headerOnly(qa)])).toThrow('steps[0] (header-only) sends traffic to the canary before it is deployed: put RolloutStep.deployCanary() before it');
      expect(() => plan([RolloutStep.weight(Weight.percent(5))])).toThrow('steps[0] (weight 5%) sends traffic to the canary before it is deployed');
      expect(() => plan([RolloutStep.promote()])).toThrow('steps[0] (promote) sends traffic');
      expect(() => plan([RolloutStep.rollback()])).toThrow('steps[0] (rollback) sends traffic');
    });

    test('fails if weights go backwards', () => {
      expect(() => plan([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(25)), RolloutStep.weight(Weight.percent(10))]))
        .toThrow('steps[2] (weight 10%) goes backwards: 10% is below the previous 25%; weights only go forward in a plan, use RolloutStep.rollback() to go back');
    });

    test('fails on a weight step of 0', () => {
      expect(() => plan([RolloutStep.deployCanary(), RolloutStep.weight(Weight.NONE)])).toThrow('steps[1] (weight 0%) needs a weight above 0');
    });

    test('fails on promotion before any weight step when the guard is on, not when it is off', () => {
      const steps = [RolloutStep.deployCanary(), RolloutStep.headerOnly(qa), RolloutStep.promote()];
      expect(() => plan(steps, { requireTrafficBeforePromote: true }))
        .toThrow('steps[2] (promote) promotes the canary before any weight step, which requireTrafficBeforePromote forbids');
      expect(plan(steps).stages).toHaveLength(3);
    });

    test('fails if finalize does not follow promote, even after a weight of 100 (only promote sizes the new version for all the load)', () => {
      expect(() => plan([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(50)), RolloutStep.finalize()]))
        .toThrow('steps[2] (finalize) must follow RolloutStep.promote(): the old version can only be removed once no route names it');
      expect(() => plan([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(100)), RolloutStep.finalize()]))
        .toThrow('steps[2] (finalize) must follow RolloutStep.promote()');
      expect(plan([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(100)), RolloutStep.promote(), RolloutStep.finalize()]).stages).toHaveLength(4);
    });

    test('fails on steps after finalize or rollback', () => {
      expect(() => plan([RolloutStep.deployCanary(), RolloutStep.promote(), RolloutStep.finalize(), RolloutStep.weight(Weight.percent(5))]))
        .toThrow('steps[3] (weight 5%) cannot follow finalize: the release is over; start a new plan');
      expect(() => plan([RolloutStep.deployCanary(), RolloutStep.rollback(), RolloutStep.promote()]))
        .toThrow('steps[2] (promote) cannot follow rollback');
    });

    test('fails if versions do not exist or are the same', () => {
      expect(() => planStages({ versions: ['v1'], stable: 'v1', canary: 'v2', steps: [RolloutStep.deployCanary()] }))
        .toThrow('canary must be a version of the website ("v1"), got "v2"');
      expect(() => planStages({ versions: ['v1', 'v2'], stable: 'v0', canary: 'v2', steps: [RolloutStep.deployCanary()] }))
        .toThrow('stable must be a version of the website ("v1", "v2"), got "v0"');
      expect(() => planStages({ versions: ['v1', 'v2'], stable: 'v1', canary: 'v1', steps: [RolloutStep.deployCanary()] }))
        .toThrow('canary must differ from stable, got "v1" for both');
    });

    test('fails on no steps, a step that is not a RolloutStep, stableOnly in the middle, or deploying twice', () => {
      expect(() => plan([])).toThrow('steps must list at least one step, got none');
      expect(() => plan([{ kind: 'promote' } as unknown as RolloutStep])).toThrow('steps[0] must be a RolloutStep (e.g. RolloutStep.deployCanary()), got {"kind":"promote"}');
      expect(() => plan([RolloutStep.deployCanary(), RolloutStep.stableOnly()])).toThrow('steps[1] (stable-only) can only be the first step');
      expect(() => plan([RolloutStep.deployCanary(), RolloutStep.deployCanary({ name: 'again' })])).toThrow('steps[1] (deploy-canary): the canary is already deployed');
    });

    test('fails on duplicate or invalid stage names', () => {
      expect(() => plan([RolloutStep.deployCanary(), RolloutStep.headerOnly(qa), RolloutStep.headerOnly(RequestMatch.header('qa', 'b'))]))
        .toThrow('name of steps[2] must be unique in the plan, got "header-only" twice; give the step a name');
      expect(() => plan([RolloutStep.deployCanary({ name: 'Deploy' })])).toThrow('name of steps[0] must be a DNS-1123 label');
    });

    test('fails on a header step without a match', () => {
      expect(() => plan([RolloutStep.deployCanary(), RolloutStep.headerOnly([])])).toThrow('steps[1] (header-only) needs at least one RequestMatch');
    });
  });
});

describe('planStages with capacity', () => {
  const sized = (steps: RolloutStep[], capacity: Partial<StageCapacity> = {}) =>
    planStages({ versions: ['v1', 'v2'], stable: 'v1', canary: 'v2', steps, capacity: { stableReplicas: 4, canaryReplicas: 1, ...capacity } })
      .stages.map((s) => [s.name, s.deployed.map((d) => `${d.name}=${d.replicas}`).join(' ')]);

  test('the canary runs its own count, or what its share needs, and at promote the stable\'s count, which it keeps', () => {
    expect(sized([
      RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(25)), RolloutStep.weight(Weight.percent(26)), RolloutStep.weight(Weight.percent(75)),
      RolloutStep.promote(), RolloutStep.finalize(),
    ])).toEqual([
      ['deploy-canary', 'v1=4 v2=1'], ['weight-25', 'v1=4 v2=1'], ['weight-26', 'v1=4 v2=2'], ['weight-75', 'v1=4 v2=3'], ['promote', 'v1=4 v2=4'], ['finalize', 'v2=4'],
    ]);
    // the canary's own count is a floor, and a larger one is kept at promote
    expect(sized([RolloutStep.deployCanary(), RolloutStep.promote(), RolloutStep.finalize()], { canaryReplicas: 6 })).toEqual([
      ['deploy-canary', 'v1=4 v2=6'], ['promote', 'v1=4 v2=6'], ['finalize', 'v2=6'],
    ]);
    // the state before the plan has the stable's count
    expect(planStages({ versions: ['v1', 'v2'], stable: 'v1', canary: 'v2', steps: [RolloutStep.deployCanary()], capacity: { stableReplicas: 4, canaryReplicas: 1 } }).before?.deployed)
      .toEqual([{ name: 'v1', replicas: 4 }]);
  });

  test('maxPodLoad lowers what a share needs; mirrored copies raise it; in-mesh calls on the stable keep it whole', () => {
    expect(sized([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(50))], { maxPodLoad: 2 })).toEqual([['deploy-canary', 'v1=4 v2=1'], ['weight-50', 'v1=4 v2=1']]);
    expect(sized([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(20))], { mirror: Percentage.of(10), sticky: true })).toEqual([['deploy-canary', 'v1=4 v2=1'], ['weight-20', 'v1=4 v2=2']]);
    // without sticky sessions a split carries no mirror (see mirrorFits): the weight alone counts
    expect(sized([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(20))], { mirror: Percentage.of(10) })).toEqual([['deploy-canary', 'v1=4 v2=1'], ['weight-20', 'v1=4 v2=1']]);
    expect(sized([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(20))], { mirror: Percentage.of(30) })).toEqual([['deploy-canary', 'v1=4 v2=2'], ['weight-20', 'v1=4 v2=1']]);
    expect(sized([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(50))], { meshStableOnly: true, scaleDownStable: true }))
      .toEqual([['deploy-canary', 'v1=4 v2=1'], ['weight-50', 'v1=4 v2=2']]);
  });

  test('scaleDownStable shrinks the stable to its share (at least 1 pod) and a rollback brings it back whole; the canary keeps its pods', () => {
    expect(sized([RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(60)), RolloutStep.promote(), RolloutStep.rollback({ scaleCanaryToZero: true })], { scaleDownStable: true })).toEqual([
      ['deploy-canary', 'v1=4 v2=1'], ['weight-60', 'v1=2 v2=3'], ['promote', 'v1=1 v2=4'], ['rollback', 'v1=4 v2=4'], ['rollback-scale-down', 'v1=4 v2=0'],
    ]);
  });

  test('an explicit canaryReplicas wins when it is enough; fails if it is too few, with the numbers', () => {
    expect(sized([RolloutStep.deployCanary({ canaryReplicas: 3 }), RolloutStep.headerOnly(qa, { canaryReplicas: 2 }), RolloutStep.weight(Weight.percent(10), { canaryReplicas: 5 }), RolloutStep.promote({ canaryReplicas: 4 })]))
      .toEqual([['deploy-canary', 'v1=4 v2=3'], ['header-only', 'v1=4 v2=2'], ['weight-10', 'v1=4 v2=5'], ['promote', 'v1=4 v2=4']]);
    expect(() => sized([RolloutStep.deployCanary(), RolloutStep.promote({ canaryReplicas: 3 })])).toThrow(
      'steps[1] (promote) sets canaryReplicas to 3, too few: subset v2 takes 100% of the requests on 3 pods (33.33% per pod), above the stable\'s 25% per pod before the release (100% over 4 pods): it needs at least 4 pods, or a higher maxPodLoad',
    );
  });
});
