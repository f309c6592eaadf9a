import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { resolveGatewayName } from '../../lib/model/names';
import { RequestMatch, StringMatch } from '../../lib';
import { describeRule } from '../../lib/mesh/describe';
import { requestMatches, RequestDescription } from '../../lib/mesh/http-match';
import { describeMatch, matchAdmits, stringMatches } from '../../lib/model/match-json';

describe('stringMatches', () => {
  test('exact, prefix, regex (whole value) and presence', () => {
    expect(stringMatches({ exact: 'a' }, 'a')).toBe(true);
    expect(stringMatches({ exact: 'a' }, 'ab')).toBe(false);
    expect(stringMatches({ prefix: 'a' }, 'ab')).toBe(true);
    expect(stringMatches({ regex: 'a.' }, 'ab')).toBe(true);
    expect(stringMatches({ regex: 'a' }, 'ab')).toBe(false);
    expect(stringMatches({}, 'anything')).toBe(true);
    expect(stringMatches({}, undefined)).toBe(false);
    expect(stringMatches({ exact: 'A' }, 'a', true)).toBe(true);
    expect(stringMatches({ regex: '(' }, 'a')).toBeUndefined();
  });

  test('ignoring case applies to exact and prefix, never to a regex, as Envoy ignores case_sensitive for safe_regex', () => {
    // GIVEN / WHEN / THEN
    expect(stringMatches({ regex: 'ab' }, 'AB', true)).toBe(false);
    expect(stringMatches({ regex: 'ab' }, 'ab', true)).toBe(true);
    expect(stringMatches({ exact: 'ab' }, 'AB', true)).toBe(true);
    expect(stringMatches({ prefix: 'ab' }, 'ABC', true)).toBe(true);
  });
});

describe('matchAdmits', () => {
  test('a header named like a property of every object is absent unless the request has it', () => {
    // GIVEN
    const request = { uri: '/', query: new Map<string, string>(), headers: {} };

    // WHEN / THEN
    expect(matchAdmits({ headers: { constructor: {} } }, request)).toBe(false);
    expect(matchAdmits({ withoutHeaders: { constructor: {} } }, request)).toBe(true);
    expect(matchAdmits({ headers: { constructor: { prefix: 'a' } } }, { ...request, headers: { constructor: 'ab' } })).toBe(true);
    expect(RequestMatch.withoutHeader('constructor').matches({})).toBe(true);
    expect(RequestMatch.header('constructor', StringMatch.prefix('a')).matches({})).toBe(false);
  });

  test('a gateways condition cannot be judged for a request that names no gateway', () => {
    expect(matchAdmits({ gateways: ['mesh'] }, { uri: '/', query: new Map(), headers: {} })).toBeUndefined();
  });
});

describe('describeMatch', () => {
  test('says each condition in words, joined by and', () => {
    expect(describeMatch({ headers: { qa: { exact: 'canary-test' }, 'x-team': { prefix: 'web' } }, uri: { regex: '/v[0-9]+/.*' } }))
      .toBe('header qa exactly "canary-test" and header x-team starting with "web" and uri matching //v[0-9]+/.*/');
    expect(describeMatch({ withoutHeaders: { 'x-skip': {} }, queryParams: { beta: { exact: 'on' } } }))
      .toBe('not header x-skip present and query parameter beta exactly "on"');
    expect(describeMatch({ name: 'all' })).toBe('every request');
    expect(describeMatch({ port: 8080 })).toBe('port 8080');
  });
});

/*
 * RequestMatch (what the constructs route on) and the manifest checks (what explain and verify read)
 * reach the same semantics by two doors: a RequestMatch with its request, and the match's JSON with a
 * request description whose path carries the query. The properties below hold the doors together.
 */
describe('a RequestMatch and its JSON mean the same', () => {
  const values = ['a', 'ab', 'v1', 'v12', 'on'];
  const value = fc.constantFrom(...values);
  const condition = fc.oneof(
    value.map((v) => StringMatch.exact(v)),
    value.map((v) => StringMatch.prefix(v)),
    fc.constantFrom('v[0-9]+', 'a.*', '(on|off)').map((p) => StringMatch.regex(p)),
    fc.constant(StringMatch.present()),
  );
  const names = ['qa', 'x-team', 'constructor'];
  const named = fc.uniqueArray(fc.tuple(fc.constantFrom(...names), condition), { selector: (t) => t[0], maxLength: 2 });
  const spec = fc.record({
    headers: named,
    without: named,
    query: fc.uniqueArray(fc.tuple(fc.constantFrom('beta', 'user'), condition), { selector: (t) => t[0], maxLength: 2 }),
    uri: fc.option(fc.oneof(fc.constantFrom('/', '/shop', '/shop/cart').map((u) => StringMatch.exact(u)), fc.constantFrom('/', '/shop').map((u) => StringMatch.prefix(u))), { nil: undefined }),
    cookie: fc.option(fc.tuple(fc.constantFrom('canary', 'beta'), value), { nil: undefined }),
  }).filter((s) => s.headers.length + s.without.length + s.query.length > 0 || s.uri !== undefined || s.cookie !== undefined);

  function build(s: typeof spec extends fc.Arbitrary<infer T> ? T : never): RequestMatch {
    let match: RequestMatch | undefined;
    const and = (next: (m: RequestMatch | undefined) => RequestMatch) => {
      match = next(match);
    };
    s.headers.forEach(([n, c]) => and((m) => (m ? m.andHeader(n, c) : RequestMatch.header(n, c))));
    s.without.forEach(([n, c]) => and((m) => (m ? m.andWithoutHeader(n, c) : RequestMatch.withoutHeader(n, c))));
    s.query.forEach(([n, c]) => and((m) => (m ? m.andQueryParam(n, c) : RequestMatch.queryParam(n, c))));
    if (s.uri !== undefined) {
      const uri = s.uri;
      and((m) => (m ? m.andUri(uri) : RequestMatch.uri(uri)));
    }
    if (s.cookie !== undefined) {
      const [n, v] = s.cookie;
      and((m) => (m ? m.andCookie(n, v) : RequestMatch.cookie(n, v)));
    }
    return match!;
  }

  const request = fc.record({
    headers: fc.dictionary(fc.constantFrom(...names, 'cookie'), fc.oneof(value, fc.constantFrom('canary=v1', 'x=1; beta=ab; y=2'))),
    query: fc.dictionary(fc.constantFrom('beta', 'user'), value),
    path: fc.constantFrom('/', '/shop', '/shop/cart', '/about'),
  }, { requiredKeys: [] });

  // A MatchableRequest's defaults, as documented: no headers, no query, the path `/`.
  const description = (r: { headers?: Record<string, string>; query?: Record<string, string>; path?: string }): RequestDescription => {
    const path = r.path ?? '/';
    const query = Object.entries(r.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    return { gateway: 'mesh', host: 'website', method: 'GET', headers: r.headers ?? {}, path: query === '' ? path : `${path}?${query}` };
  };

  test('a request matches a RequestMatch exactly when its description matches the JSON', () => {
    fc.assert(fc.property(spec, request, (s, r) => {
      // GIVEN
      const match = build(s);

      // WHEN
      const modelSays = match.matches(r);
      const meshSays = requestMatches(match.toJson(), description(r));

      // THEN
      expect(meshSays).toBe(modelSays);
    }), { numRuns: 500, seed: 20261127 });
  });

  test('a RequestMatch reads in words as its JSON does in explain and diagram', () => {
    fc.assert(fc.property(spec, (s) => {
      // GIVEN
      const match = build(s);

      // WHEN / THEN
      expect(describeRule({ match: [match.toJson()] })).toBe(match.toString());
    }), { numRuns: 200, seed: 20261127 });
  });

  test('the example of a match without regexes, prefixes on query parameters or excluded headers is admitted by it', () => {
    const plain = spec.filter((s) => [...s.headers, ...s.query].every(([, c]) => c.kind !== 'regex')
      && s.query.every(([, c]) => c.kind === 'exact') && s.without.length === 0);
    fc.assert(fc.property(plain, (s) => {
      // GIVEN
      const match = build(s);

      // WHEN
      const { headers, path } = match.example;

      // THEN
      expect(requestMatches(match.toJson(), { gateway: 'mesh', host: 'website', method: 'GET', headers, path })).toBe(true);
    }), { numRuns: 200, seed: 20261127 });
  });
});

describe('resolveGatewayName', () => {
  test('reads a gateway name as pilot does: short, namespace/name, ./name, legacy FQDN, mesh', () => {
    expect(resolveGatewayName('public', 'shop')).toBe('shop/public');
    expect(resolveGatewayName('istio-system/public', 'shop')).toBe('istio-system/public');
    expect(resolveGatewayName('./public', 'shop')).toBe('shop/public');
    expect(resolveGatewayName('public.istio-system.svc.cluster.local', 'shop')).toBe('istio-system/public');
    expect(resolveGatewayName('public.istio-system', 'shop')).toBe('istio-system/public');
    expect(resolveGatewayName('mesh', 'shop')).toBe('mesh');
  });
});
