import { Duration } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { HttpRule, Percentage, RequestMatch, Weight } from '../../lib';
import { canaryRules, directRules, routedSubsets } from '../../lib/model/routing';
import { renderHttpRules } from '../../lib/render/istio/routes';

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

  test('sticky sessions: cookie rules for each version first, and each destination of the split sets the cookie that names it', () => {
    const rules = canaryRules({ ...base, canaryWeight: Weight.percent(20), sticky: { cookieName: 'canary', maxAgeSeconds: 3600 } });
    expect(renderHttpRules(rules)).toEqual([
      { match: [{ headers: { cookie: { regex: '^(.*?;\\s*)?(canary=v2)(;.*)?$' } } }], route: [{ destination: { host: 'website', subset: 'v2' } }] },
      { match: [{ headers: { cookie: { regex: '^(.*?;\\s*)?(canary=v1)(;.*)?$' } } }], route: [{ destination: { host: 'website', subset: 'v1' } }] },
      {
        route: [
          { destination: { host: 'website', subset: 'v2' }, weight: 20, headers: { response: { add: { 'set-cookie': 'canary=v2; Max-Age=3600; Path=/' } } } },
          { destination: { host: 'website', subset: 'v1' }, weight: 80, headers: { response: { add: { 'set-cookie': 'canary=v1; Max-Age=3600; Path=/' } } } },
        ],
      },
    ]);
  });

  test('a secure sticky cookie is marked Secure', () => {
    const rules = canaryRules({ ...base, canaryWeight: Weight.percent(20), sticky: { cookieName: 'canary', maxAgeSeconds: 60, secure: true } });
    expect(rules.at(-1)!.destinations.map((d) => d.setCookie)).toEqual(['canary=v2; Max-Age=60; Path=/; Secure', 'canary=v1; Max-Age=60; Path=/; Secure']);
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

  test('with a weighted split, the mirror goes only on the rule that keeps sticky users on stable, never on the split', () => {
    // GIVEN a 20% canary with sticky sessions and a 10% mirror
    const rules = renderHttpRules(canaryRules({ ...base, canaryWeight: Weight.percent(20), mirror: Percentage.of(10), sticky: { cookieName: 'canary', maxAgeSeconds: 60 } }));
    // THEN only the rule that routes to v1 alone mirrors
    expect(rules.map((r) => [(r.route as any[]).map((d) => d.destination.subset), r.mirror !== undefined])).toEqual([
      [['v2'], false],
      [['v1'], true],
      [['v2', 'v1'], false],
    ]);
  });

  test('fails if a mirror would sit on a weighted split or has no stable traffic to copy', () => {
    expect(() => canaryRules({ ...base, canaryWeight: Weight.percent(20), mirror: Percentage.of(10) }))
      .toThrow('mirroring copies stable traffic only, but a weighted split (canary weight 20%) without sticky sessions has no rule that carries only stable traffic');
    expect(() => canaryRules({ ...base, canaryWeight: Weight.ALL, mirror: Percentage.of(10) }))
      .toThrow('mirroring copies stable traffic, but a canary weight of 100 leaves none to copy: remove the mirror');
  });

  test('in-mesh calls are never mirrored when the canary is restricted to some gateways', () => {
    // GIVEN shadowing only (weight 0) for gateway traffic
    const rules = renderHttpRules(canaryRules({ ...base, mirror: Percentage.of(10), canaryGateways: ['website-gateway'] }));
    // THEN the gateway's stable rule mirrors, the fallback for in-mesh calls does not
    expect(rules).toEqual([
      { match: [{ gateways: ['website-gateway'] }], route: [{ destination: { host: 'website', subset: 'v1' } }], mirror: { host: 'website', subset: 'v2' }, mirrorPercentage: { value: 10 } },
      { route: [{ destination: { host: 'website', subset: 'v1' } }] },
    ]);
  });

  test('timeout and retries go on every rule, faults only on rules that go wholly to the canary', () => {
    const rules = renderHttpRules(canaryRules({
      ...base, canaryMatches: [qa], canaryWeight: Weight.percent(10), timeout: Duration.seconds(5), retries: { attempts: 2 },
      canaryFault: { abort: { httpStatus: 503, percentage: Percentage.of(5) } },
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

describe('sticky sessions in numbers', () => {
  // A deterministic random generator (mulberry32), so the shares below are the same on every run.
  function seeded(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** The share of users served by the canary at least once in `requests` requests each, as Envoy would route them. */
  function shareOnCanary(rules: readonly HttpRule[], users: number, requests: number): number {
    const random = seeded(42);
    let onCanary = 0;
    for (let u = 0; u < users; u++) {
      const jar = new Map<string, string>();
      let metCanary = false;
      for (let r = 0; r < requests; r++) {
        const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
        const rule = rules.find((x) => x.matches.length === 0 || x.matches.some((m) => m.matches({ headers: cookie ? { cookie } : {} })))!;
        let pick = random() * 100;
        const destination = rule.destinations.find((d) => (pick -= d.weight?.percent ?? 100) < 0)!;
        metCanary ||= destination.subset === 'v2';
        if (destination.setCookie !== undefined) {
          const [name, value] = destination.setCookie.split(';')[0].split('=');
          jar.set(name, value);
        }
      }
      onCanary += metCanary ? 1 : 0;
    }
    return onCanary / users;
  }

  const sticky = canaryRules({ host: 'website', stableSubset: 'v1', canarySubset: 'v2', canaryWeight: Weight.percent(20), sticky: { cookieName: 'canary', maxAgeSeconds: 3600 } });
  // What the library rendered before: only the canary set a cookie, and no rule kept stable users on stable.
  const canaryCookieOnly: HttpRule[] = sticky
    .filter((rule) => !rule.matches.some((m) => m.toString().includes('canary=v1')))
    .map((rule) => ({ ...rule, destinations: rule.destinations.map((d) => (d.subset === 'v1' ? { ...d, setCookie: undefined } : d)) }));

  test('with a cookie from the canary only, 1 - 0.8^n of the users would reach the canary (89% after 10 requests, 99% after 20)', () => {
    expect(shareOnCanary(canaryCookieOnly, 2000, 10)).toBeCloseTo(1 - 0.8 ** 10, 1);
    expect(shareOnCanary(canaryCookieOnly, 2000, 20)).toBeCloseTo(1 - 0.8 ** 20, 1);
  });

  test('with a cookie for each version, the share of users on the canary is the weight, however many requests they make', () => {
    expect(shareOnCanary(sticky, 2000, 1)).toBeCloseTo(0.2, 1);
    expect(shareOnCanary(sticky, 2000, 10)).toBeCloseTo(0.2, 1);
    expect(shareOnCanary(sticky, 2000, 20)).toBeCloseTo(0.2, 1);
  });
});
