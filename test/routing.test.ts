import { describe, expect, test } from 'vitest';
import { canaryRules, directRules, Percentage, renderHttpRules, RequestMatch, routedSubsets, Weight } from '../lib';

const qa = RequestMatch.header('qa', 'canary-test');

describe('canaryRules', () => {
  test('with no canary, every request goes to the stable subset', () => {
    // WHEN
    const rules = canaryRules({ host: 'website', stableSubset: 'version-1' });
    // THEN
    expect(renderHttpRules(rules)).toEqual([{ route: [{ destination: { host: 'website', subset: 'version-1' } }] }]);
    expect(routedSubsets(rules)).toEqual(['version-1']);
  });

  test('a canary with no matches and no weight takes no traffic', () => {
    const rules = canaryRules({ host: 'website', stableSubset: 'version-1', canarySubset: 'version-2' });
    expect(routedSubsets(rules)).toEqual(['version-1']);
  });

  test('canary matches come first and go wholly to the canary; the rest goes to stable', () => {
    // WHEN
    const rules = canaryRules({ host: 'website', stableSubset: 'version-1', canarySubset: 'version-2', canaryMatches: [qa] });
    // THEN
    expect(renderHttpRules(rules)).toEqual([
      { match: [{ headers: { qa: { exact: 'canary-test' } } }], route: [{ destination: { host: 'website', subset: 'version-2' } }] },
      { route: [{ destination: { host: 'website', subset: 'version-1' } }] },
    ]);
  });

  test('a weight splits the rest, canary first, weights adding up to 100', () => {
    // WHEN
    const rules = canaryRules({ host: 'website', stableSubset: 'version-1', canarySubset: 'version-2', canaryWeight: Weight.percent(20) });
    // THEN
    expect(renderHttpRules(rules)).toEqual([{
      route: [
        { destination: { host: 'website', subset: 'version-2' }, weight: 20 },
        { destination: { host: 'website', subset: 'version-1' }, weight: 80 },
      ],
    }]);
  });

  test('matches and a weight combine: the match rule first, then the split', () => {
    const rules = canaryRules({
      host: 'website', stableSubset: 'v1', canarySubset: 'v2', canaryMatches: [qa], canaryWeight: Weight.percent(5),
    });
    expect(rules).toHaveLength(2);
    expect(rules[0].matches).toEqual([qa]);
    expect(rules[1].destinations.map((d) => [d.subset, d.weight?.percent])).toEqual([['v2', 5], ['v1', 95]]);
  });

  test('a weight of 100 sends everything to the canary with a single destination', () => {
    const rules = canaryRules({ host: 'website', stableSubset: 'v1', canarySubset: 'v2', canaryWeight: Weight.ALL });
    expect(renderHttpRules(rules)).toEqual([{ route: [{ destination: { host: 'website', subset: 'v2' } }] }]);
  });

  test('several matches are alternatives within one rule', () => {
    const other = RequestMatch.header('x-canary', 'yes');
    const rules = canaryRules({ host: 'h', stableSubset: 'v1', canarySubset: 'v2', canaryMatches: [qa, other] });
    expect(renderHttpRules(rules)[0].match).toEqual([qa.toJson(), other.toJson()]);
  });

  test('fails if a weight or matches are given without a canary', () => {
    expect(() => canaryRules({ host: 'h', stableSubset: 'v1', canaryWeight: Weight.percent(20) }))
      .toThrow('canary must be set when canary matches, a canary weight or mirroring are given, got weight 20% and 0 match(es)');
  });
});

describe('directRules', () => {
  test('routes every request to the host with no subset', () => {
    expect(renderHttpRules(directRules('website'))).toEqual([{ route: [{ destination: { host: 'website' } }] }]);
    expect(routedSubsets(directRules('website'))).toEqual([]);
  });
});

describe('canaryRules with traffic policy', () => {
  const base = { host: 'website', stableSubset: 'v1', canarySubset: 'v2' };

  test('sticky sessions: a cookie rule first, and the canary destination of the split sets the cookie', () => {
    const rules = canaryRules({ ...base, canaryWeight: Weight.percent(20), sticky: { cookieName: 'canary', maxAgeSeconds: 3600 } });
    expect(renderHttpRules(rules)).toEqual([
      { match: [{ headers: { cookie: { regex: '^(.*?;\\s*)?(canary=v2)(;.*)?$' } } }], route: [{ destination: { host: 'website', subset: 'v2' } }] },
      {
        route: [
          { destination: { host: 'website', subset: 'v2' }, weight: 20, headers: { response: { add: { 'set-cookie': 'canary=v2; Max-Age=3600; Path=/' } } } },
          { destination: { host: 'website', subset: 'v1' }, weight: 80 },
        ],
      },
    ]);
  });

  test('sticky sessions add nothing while no weight sends users to the canary', () => {
    expect(canaryRules({ ...base, sticky: { cookieName: 'canary', maxAgeSeconds: 60 } })).toHaveLength(1);
  });

  test('mirroring copies a share of the stable rule\'s requests to the canary', () => {
    const rules = canaryRules({ ...base, mirror: Percentage.of(25) });
    expect(renderHttpRules(rules)).toEqual([{
      route: [{ destination: { host: 'website', subset: 'v1' } }],
      mirror: { host: 'website', subset: 'v2' },
      mirrorPercentage: { value: 25 },
    }]);
    expect(routedSubsets(rules)).toEqual(['v1', 'v2']);
  });

  test('timeout and retries go on every rule, faults only on rules that go wholly to the canary', () => {
    const rules = renderHttpRules(canaryRules({
      ...base, canaryMatches: [qa], canaryWeight: Weight.percent(10), timeout: '5s', retries: { attempts: 2 },
      canaryFault: { abort: { httpStatus: 503, percentage: { value: 5 } } },
    }));
    expect(rules.map((r) => [r.timeout, r.retries, r.fault])).toEqual([
      ['5s', { attempts: 2 }, { abort: { httpStatus: 503, percentage: { value: 5 } } }],
      ['5s', { attempts: 2 }, undefined],
    ]);
  });

  test('canary gateways restrict the canary rules; other gateways fall through to stable', () => {
    const rules = renderHttpRules(canaryRules({ ...base, canaryMatches: [qa], canaryWeight: Weight.percent(10), canaryGateways: ['website-gateway'] }));
    expect(rules.map((r) => r.match)).toEqual([
      [{ headers: { qa: { exact: 'canary-test' } }, gateways: ['website-gateway'] }],
      [{ gateways: ['website-gateway'] }],
      undefined,
    ]);
    expect((rules[2].route as any)).toEqual([{ destination: { host: 'website', subset: 'v1' } }]);
  });
});
