import { describe, expect, test } from 'vitest';
import { canaryRules, directRules, renderHttpRules, RequestMatch, routedSubsets, Weight } from '../lib';

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
