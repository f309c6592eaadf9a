import { Duration } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { HttpRule, Percentage, RequestMatch, StringMatch, Weight } from '../../../lib';
import { canaryRules } from '../../../lib/model/routing';
import {
  backendName, checkGatewayApiOrder, gatewayApiDuration, renderGatewayApiMatch, renderGatewayApiRules, rulesForParent, versionServiceName,
} from '../../../lib/render/gateway-api/routes';

const context = { port: 80 };
const base = { host: 'website', stableSubset: 'v1', canarySubset: 'v2' };

describe('Service names of the Gateway API backends', () => {
  test('a version\'s Service is named <service>-<subset>, and a destination without subset is the site-wide Service', () => {
    expect(versionServiceName('website', 'v2')).toBe('website-v2');
    expect(backendName({ host: 'website', subset: 'v2' })).toBe('website-v2');
    expect(backendName({ host: 'website' })).toBe('website');
  });
});

describe('renderGatewayApiRules', () => {
  test('a weighted split becomes weighted backendRefs to the versions\' Services, the canary first', () => {
    // GIVEN
    const rules = canaryRules({ ...base, canaryWeight: Weight.percent(20) });
    // WHEN
    const rendered = renderGatewayApiRules(rules, context);
    // THEN
    expect(rendered).toEqual([{ backendRefs: [{ name: 'website-v2', port: 80, weight: 20 }, { name: 'website-v1', port: 80, weight: 80 }] }]);
  });

  test('a single destination has no weight, and a canary match comes before the catch-all', () => {
    const rules = canaryRules({ ...base, canaryMatches: [RequestMatch.header('qa', 'canary-test')] });
    expect(renderGatewayApiRules(rules, context)).toEqual([
      { matches: [{ headers: [{ name: 'qa', type: 'Exact', value: 'canary-test' }] }], backendRefs: [{ name: 'website-v2', port: 80 }] },
      { backendRefs: [{ name: 'website-v1', port: 80 }] },
    ]);
  });

  test('sticky sessions: a cookie match per version, and each backend of the split sets the cookie naming it', () => {
    const rules = canaryRules({ ...base, canaryWeight: Weight.percent(20), sticky: { cookieName: 'canary', maxAgeSeconds: 3600 } });
    const rendered = renderGatewayApiRules(rules, context);
    expect(rendered.map((r) => r.matches)).toEqual([
      [{ headers: [{ name: 'cookie', type: 'RegularExpression', value: '^(.*?;\\s*)?(canary=v2)(;.*)?$' }] }],
      [{ headers: [{ name: 'cookie', type: 'RegularExpression', value: '^(.*?;\\s*)?(canary=v1)(;.*)?$' }] }],
      undefined,
    ]);
    expect(rendered[2].backendRefs).toEqual([
      { name: 'website-v2', port: 80, weight: 20, filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: 'canary=v2; Max-Age=3600; Path=/' }] } }] },
      { name: 'website-v1', port: 80, weight: 80, filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: 'canary=v1; Max-Age=3600; Path=/' }] } }] },
    ]);
  });

  test('mirroring is a RequestMirror filter on the stable rule: percent when whole, a fraction in millionths otherwise', () => {
    const whole = renderGatewayApiRules(canaryRules({ ...base, mirror: Percentage.of(25) }), context);
    expect(whole).toEqual([{
      filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'website-v2', port: 80 }, percent: 25 } }],
      backendRefs: [{ name: 'website-v1', port: 80 }],
    }]);
    const fractional = renderGatewayApiRules(canaryRules({ ...base, mirror: Percentage.of(0.5) }), context);
    expect((fractional[0].filters as any)[0].requestMirror).toEqual({ backendRef: { name: 'website-v2', port: 80 }, fraction: { numerator: 5000, denominator: 1_000_000 } });
  });

  test('a timeout becomes timeouts.request on every rule', () => {
    const rendered = renderGatewayApiRules(canaryRules({ ...base, canaryWeight: Weight.percent(20), timeout: Duration.seconds(5) }), context);
    expect(rendered[0].timeouts).toEqual({ request: '5s' });
  });

  test('fails if a rule has retries, naming the feature, the API and the alternative', () => {
    const rules = canaryRules({ ...base, retries: { attempts: 3 } });
    expect(() => renderGatewayApiRules(rules, context)).toThrow(
      'retries is not supported with the Gateway API v1.5.1 standard channel (HTTPRoute has no retry field in the standard channel); use api: TrafficApi.ISTIO on the IstioEntry, which renders it as Istio\'s own objects');
  });

  test('fails if a rule injects faults, naming the feature, the API and the alternative', () => {
    const rules = canaryRules({ ...base, canaryMatches: [RequestMatch.header('qa', 'x')], canaryFault: { abort: { httpStatus: 503, percentage: Percentage.of(10) } } });
    expect(() => renderGatewayApiRules(rules, context)).toThrow(
      'canaryFault is not supported with the Gateway API v1.5.1 standard channel (HTTPRoute has no fault injection); use api: TrafficApi.ISTIO');
  });
});

describe('renderGatewayApiRules: the HTTPRoute CRD\'s limits on what other route sources give', () => {
  const toStable = { host: 'website', subset: 'v1' };
  const headerRule = (i: number, matches = 1): HttpRule => ({
    matches: Array.from({ length: matches }, (_, j) => RequestMatch.header('qa', `tester-${i}-${j}`)), destinations: [toStable],
  });

  test('fails if there are more than 16 rules, and renders 16', () => {
    // GIVEN 16 and 17 rules to the same Service
    const rules = Array.from({ length: 17 }, (_, i) => headerRule(i));
    // WHEN / THEN
    expect(renderGatewayApiRules(rules.slice(0, 16), context)).toHaveLength(16);
    expect(() => renderGatewayApiRules(rules, context)).toThrow(
      'a routing of 17 rules is not supported with the Gateway API v1.5.1 standard channel (an HTTPRoute holds at most 16); use api: TrafficApi.ISTIO');
  });

  test('fails if the rules hold 128 matches in all, and renders 127 (the CRD wants fewer than 128)', () => {
    // GIVEN two rules of 64 matches, and then of 64 and 63
    const full = [headerRule(0, 64), headerRule(1, 64)];
    // WHEN / THEN
    expect(() => renderGatewayApiRules(full, context)).toThrow(
      'a routing of 128 matches over its rules is not supported with the Gateway API v1.5.1 standard channel (an HTTPRoute holds at most 127 over all its rules)');
    expect(renderGatewayApiRules([headerRule(0, 64), headerRule(1, 63)], context)).toHaveLength(2);
  });
});

describe('renderGatewayApiMatch', () => {
  test('an exact path, and header and query conditions: exact as Exact, regex as RegularExpression, prefix and present as equivalent RE2 expressions', () => {
    // GIVEN
    const match = RequestMatch.uri('/checkout')
      .andHeader('x-exact', 'a')
      .andHeader('x-regex', StringMatch.regex('b+'))
      .andHeader('x-prefix', StringMatch.prefix('a.b'))
      .andHeader('x-present', StringMatch.present())
      .andQueryParam('canary', 'yes');
    // WHEN / THEN
    expect(renderGatewayApiMatch(match)).toEqual({
      path: { type: 'Exact', value: '/checkout' },
      headers: [
        { name: 'x-exact', type: 'Exact', value: 'a' },
        { name: 'x-regex', type: 'RegularExpression', value: 'b+' },
        { name: 'x-prefix', type: 'RegularExpression', value: 'a\\.b.*' },
        { name: 'x-present', type: 'RegularExpression', value: '.*' },
      ],
      queryParams: [{ name: 'canary', type: 'Exact', value: 'yes' }],
    });
  });

  test('fails if the match needs a header to be absent, which HTTPRoute cannot say', () => {
    expect(() => renderGatewayApiMatch(RequestMatch.withoutHeader('x-debug'))).toThrow(
      'match withoutHeader is not supported with the Gateway API v1.5.1 standard channel (HTTPRoute matches have no negative header condition); use api: TrafficApi.ISTIO');
  });

  test('fails if the path is a prefix, whose meaning differs in HTTPRoute (whole segments)', () => {
    expect(() => renderGatewayApiMatch(RequestMatch.uri(StringMatch.prefix('/api')))).toThrow(
      'match uri prefix is not supported with the Gateway API v1.5.1 standard channel (PathPrefix matches whole path segments ("/api" does not match "/apix"), not a string prefix as Istio does); match an exact path');
  });

  test('fails if a match has more query conditions than an HTTPRouteMatch holds', () => {
    let match = RequestMatch.queryParam('q0', 'x');
    for (let i = 1; i <= 16; i++) {
      match = match.andQueryParam(`q${i}`, 'x');
    }
    expect(() => renderGatewayApiMatch(match)).toThrow(
      'match with 17 query parameter conditions is not supported with the Gateway API v1.5.1 standard channel (an HTTPRouteMatch holds at most 16)');
    expect(() => renderGatewayApiMatch(match.andHeader('qa', 'x'))).toThrow('match with 17 query parameter conditions');
  });

  test('fails if the path is a regex, which Istio ranks below the catch-all', () => {
    expect(() => renderGatewayApiMatch(RequestMatch.uri(StringMatch.regex('/api/.*')))).toThrow(
      'match uri regex is not supported with the Gateway API v1.5.1 standard channel (Istio ranks RegularExpression paths below every PathPrefix');
  });
});

describe('checkGatewayApiOrder', () => {
  test('accepts the canary rules, whose precedence in HTTPRoute keeps Istio\'s order', () => {
    const rules = canaryRules({
      ...base, canaryMatches: [RequestMatch.header('qa', 'x'), RequestMatch.uri('/new')], canaryWeight: Weight.percent(20), sticky: { cookieName: 'canary', maxAgeSeconds: 60 },
    });
    expect(() => checkGatewayApiOrder(rules)).not.toThrow();
  });

  test('fails if a later rule to another version outranks an earlier one: a query-only canary match behind sticky users of stable', () => {
    // GIVEN: Istio checks the query match first; HTTPRoute ranks the later cookie (a header) above it
    const rules = canaryRules({ ...base, canaryMatches: [RequestMatch.queryParam('canary', '1')], canaryWeight: Weight.percent(20), sticky: { cookieName: 'canary', maxAgeSeconds: 60 } });
    // WHEN / THEN
    expect(() => checkGatewayApiOrder(rules)).toThrow(
      'the match "query parameter canary exactly "1"" is not supported with the Gateway API v1.5.1 standard channel (HTTPRoute ranks matches by path, then number of headers, then number of query parameters, not by order: the later match "header cookie matching /^(.*?;\\s*)?(canary=v1)(;.*)?$/" would take precedence); give that match at least as many header conditions');
  });
});

describe('rulesForParent', () => {
  test('keeps the rules for that gateway and the unrestricted ones, up to the first catch-all', () => {
    // GIVEN: stable-only in-mesh routing: canary rules restricted to the gateway, then the stable fallback
    const rules: HttpRule[] = canaryRules({ ...base, canaryMatches: [RequestMatch.header('qa', 'x')], canaryWeight: Weight.percent(20), canaryGateways: ['gw'] });
    // WHEN
    const viaGateway = rulesForParent(rules, 'gw');
    const inMesh = rulesForParent(rules, 'mesh');
    // THEN
    expect(viaGateway.map((r) => r.destinations.map((d) => d.subset))).toEqual([['v2'], ['v2', 'v1']]);
    expect(inMesh.map((r) => r.destinations.map((d) => d.subset))).toEqual([['v1']]);
  });
});

describe('gatewayApiDuration', () => {
  test('writes whole units the way the Gateway API pattern takes them', () => {
    expect(gatewayApiDuration(Duration.seconds(5))).toBe('5s');
    expect(gatewayApiDuration(Duration.millis(250))).toBe('250ms');
    expect(gatewayApiDuration(Duration.seconds(3600))).toBe('1h');
    expect(gatewayApiDuration(Duration.millis(100500))).toBe('1m40s500ms');
    expect(gatewayApiDuration(Duration.hours(99999))).toBe('99999h');
  });

  test('fails if a part would need more than five digits', () => {
    expect(() => gatewayApiDuration(Duration.hours(100_000))).toThrow('duration must be below 100000 hours for the Gateway API, got 100000h');
  });
});
