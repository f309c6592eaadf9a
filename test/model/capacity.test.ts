import { Duration, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CanaryRelease, IstioEntry, MeshRouting, Percentage, RequestMatch, Website, Weight } from '../../lib';
import { capacityProblems, checkMaxPodLoad, podsNeeded, ruleShares } from '../../lib/model/capacity';
import { canaryRules } from '../../lib/model/routing';

const rules = (weight: number, extra: Partial<Parameters<typeof canaryRules>[0]> = {}) =>
  canaryRules({ host: 'web', stableSubset: 'v1', canarySubset: 'v2', canaryWeight: Weight.percent(weight), ...extra });

describe('ruleShares', () => {
  test('a weighted split gives each subset its weight', () => {
    expect(ruleShares(rules(20))).toEqual(new Map([['v2', 20], ['v1', 80]]));
  });

  test('mirrored copies count in the canary\'s share, on top of its weight', () => {
    // with sticky sessions the mirror is on the rule of users assigned to stable, whose share is
    // unknown: its whole percentage counts, an upper bound
    expect(ruleShares(rules(20, { mirror: Percentage.of(10), sticky: { cookieName: 'c', maxAgeSeconds: 60 } }))).toEqual(new Map([['v2', 30], ['v1', 80]]));
    expect(ruleShares(rules(0, { mirror: Percentage.of(12.5) }))).toEqual(new Map([['v1', 100], ['v2', 12.5]]));
  });

  test('header and cookie matches are left out: their share is unknown', () => {
    const shares = ruleShares(rules(0, { canaryMatches: [RequestMatch.header('qa', 'x')] }));
    expect(shares).toEqual(new Map([['v1', 100]]));
    const sticky = ruleShares(rules(30, { sticky: { cookieName: 'c', maxAgeSeconds: 60 } }));
    expect(sticky).toEqual(new Map([['v2', 30], ['v1', 70]]));
  });

  test('each rule without matches is a stream of its own; a subset takes its largest share in any', () => {
    // in-mesh calls all go to the stable version, gateway requests are split
    expect(ruleShares(rules(40, { canaryGateways: ['gw'] }))).toEqual(new Map([['v2', 40], ['v1', 100]]));
  });

  test('a rule with one destination gives it every request; a route without subset counts for its host', () => {
    expect(ruleShares([{ matches: [], destinations: [{ host: 'web' }] }])).toEqual(new Map([['web', 100]]));
  });
});

describe('podsNeeded and capacityProblems', () => {
  const bar = { stablePodsBefore: 4, maxPodLoad: 1 };

  test('the pods a share needs, rounded up; none for no share', () => {
    expect([0, 5, 25, 26, 50, 100].map((share) => podsNeeded(share, bar))).toEqual([0, 1, 1, 2, 2, 4]);
    expect(podsNeeded(100, { stablePodsBefore: 3, maxPodLoad: 1 })).toBe(3);
    expect(podsNeeded(50, { stablePodsBefore: 4, maxPodLoad: 2 })).toBe(1);
  });

  test('a share exactly at the bar fits; one just above does not, and the message has the numbers', () => {
    expect(capacityProblems([{ subset: 'v2', share: 25, pods: 1 }], bar)).toEqual([]);
    expect(capacityProblems([{ subset: 'v2', share: 100 / 3, pods: 1 }], { stablePodsBefore: 3, maxPodLoad: 1 })).toEqual([]);
    expect(capacityProblems([{ subset: 'v2', share: 26, pods: 1 }], bar)).toEqual([
      'subset v2 takes 26% of the requests on 1 pod (26% per pod), above the stable\'s 25% per pod before the release (100% over 4 pods): it needs at least 2 pods, or a higher maxPodLoad',
    ]);
    expect(capacityProblems([{ subset: 'v2', share: 60, pods: 2 }], { stablePodsBefore: 3, maxPodLoad: 1.5 })).toEqual([]);
    expect(capacityProblems([{ subset: 'v2', share: 60, pods: 1 }], { stablePodsBefore: 3, maxPodLoad: 1.5 })).toEqual([
      'subset v2 takes 60% of the requests on 1 pod (60% per pod), above the stable\'s 33.33% per pod before the release (100% over 3 pods) times maxPodLoad 1.5: it needs at least 2 pods, or a higher maxPodLoad',
    ]);
  });

  test('a subset with a share and no pods is left to the checks of routes without pods', () => {
    expect(capacityProblems([{ subset: 'v2', share: 50, pods: 0 }], bar)).toEqual([]);
  });

  test('fails if maxPodLoad is below 1 or not a number', () => {
    expect(checkMaxPodLoad('maxPodLoad', 1.5)).toBe(1.5);
    expect(() => checkMaxPodLoad('maxPodLoad', 0.5)).toThrow('maxPodLoad must be a number of at least 1 (1: no pod carries more than a stable pod did before the release), got 0.5');
    expect(() => checkMaxPodLoad('maxPodLoad', '2')).toThrow('maxPodLoad must be a number of at least 1');
    expect(() => checkMaxPodLoad('maxPodLoad', Number.POSITIVE_INFINITY)).toThrow('maxPodLoad must be a number of at least 1');
  });
});

describe('CanaryRelease capacity', () => {
  function release(canaryReplicas: number, props: Partial<ConstructorParameters<typeof CanaryRelease>[2]> = {}, mesh = false) {
    const c = Testing.chart();
    const website = new Website(c, 'site', {
      serviceName: 'web',
      versions: [{ name: 'v1', image: 'img:1', replicas: 4 }, { name: 'v2', image: 'img:2', replicas: canaryReplicas }],
    });
    const entry = new IstioEntry(c, 'entry', { website, mesh, hosts: ['web.example.com'] });
    return () => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', ...props });
  }

  test('20% to one of five pods meets the bar (the tutorial\'s last stage)', () => {
    expect(release(1, { canaryWeight: Weight.percent(20) })).not.toThrow();
    expect(release(1, { canaryWeight: Weight.percent(25) })).not.toThrow();
  });

  test('fails if the canary\'s share per pod is above the stable\'s before the release, with the numbers', () => {
    expect(release(1, { canaryWeight: Weight.percent(50) })).toThrow(
      'the release puts more on a pod than a stable pod carried before it: subset v2 takes 50% of the requests on 1 pod (50% per pod), above the stable\'s 25% per pod before the release (100% over 4 pods): it needs at least 2 pods, or a higher maxPodLoad',
    );
    expect(release(2, { canaryWeight: Weight.percent(100) })).toThrow('subset v2 takes 100% of the requests on 2 pods (50% per pod)');
  });

  test('fails if mirrored copies push the canary over the bar', () => {
    const sticky = { cookieName: 'canary', maxAge: Duration.hours(1) };
    expect(release(1, { canaryWeight: Weight.percent(20), mirrorToCanary: Percentage.of(10), stickySession: sticky })).toThrow('subset v2 takes 30% of the requests on 1 pod');
    expect(release(2, { canaryWeight: Weight.percent(20), mirrorToCanary: Percentage.of(10), stickySession: sticky })).not.toThrow();
  });

  test('header matches do not count, whatever the canary\'s pods', () => {
    expect(release(1, { canaryMatches: [RequestMatch.header('qa', 'x')] })).not.toThrow();
  });

  test('maxPodLoad lowers the bar explicitly; a bad one is refused', () => {
    expect(release(1, { canaryWeight: Weight.percent(50), maxPodLoad: 2 })).not.toThrow();
    expect(release(1, { canaryWeight: Weight.percent(51), maxPodLoad: 2 })).toThrow('times maxPodLoad 2: it needs at least 2 pods');
    expect(release(1, { maxPodLoad: 0 })).toThrow('maxPodLoad must be a number of at least 1');
  });

  test('in-mesh calls kept on the stable version are within its own bar', () => {
    expect(release(1, { canaryWeight: Weight.percent(20), meshRouting: MeshRouting.STABLE_ONLY }, true)).not.toThrow();
  });
});
