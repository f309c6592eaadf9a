import { describe, expect, test } from 'vitest';
import {
  envoyCatchAll, isCatchAll, l4MatchCovers, matchCovers, matchKey, requestMatches, RequestDescription, stringCovers,
} from '../../lib/mesh/http-match';
import { HttpMatchJson } from '../../lib/model/match-json';

const request = (over: Partial<RequestDescription> = {}): RequestDescription => ({
  gateway: 'default/website-gateway', host: 'www.example.com', path: '/', headers: {}, method: 'GET', ...over,
});

describe('requestMatches', () => {
  test('headers, uri, query parameters, method, authority and withoutHeaders', () => {
    const r = request({ path: '/shop/cart?user=ann', headers: { qa: 'canary-test' }, method: 'POST' });
    expect(requestMatches({ headers: { qa: { exact: 'canary-test' } } }, r)).toBe(true);
    expect(requestMatches({ headers: { qa: { exact: 'other' } } }, r)).toBe(false);
    expect(requestMatches({ uri: { prefix: '/shop' } }, r)).toBe(true);
    expect(requestMatches({ uri: { exact: '/shop/cart' } }, r)).toBe(true);
    expect(requestMatches({ uri: { prefix: '/SHOP' }, ignoreUriCase: true }, r)).toBe(true);
    expect(requestMatches({ uri: { regex: '/SHOP/.*' }, ignoreUriCase: true }, r)).toBe(false);
    expect(requestMatches({ uri: { exact: '/SHOP/cart' }, ignoreUriCase: true }, r)).toBe(true);
    expect(requestMatches({ queryParams: { user: { exact: 'ann' } } }, r)).toBe(true);
    expect(requestMatches({ method: { exact: 'GET' } }, r)).toBe(false);
    expect(requestMatches({ authority: { exact: 'www.example.com' } }, r)).toBe(true);
    expect(requestMatches({ withoutHeaders: { qa: {} } }, r)).toBe(false);
    expect(requestMatches({ withoutHeaders: { 'x-debug': {} } }, r)).toBe(true);
  });

  test('tests a missing header as empty against a withoutHeaders condition on a value, as pilot has Envoy do', () => {
    // GIVEN a request without x-debug
    const r = request();

    // WHEN / THEN a missing header is "" to a value condition (treat_missing_header_as_empty), and absent to a presence condition
    expect(requestMatches({ withoutHeaders: { 'x-debug': { regex: '.*' } } }, r)).toBe(false);
    expect(requestMatches({ withoutHeaders: { 'x-debug': { prefix: '' } } }, r)).toBe(false);
    expect(requestMatches({ withoutHeaders: { 'x-debug': { exact: 'on' } } }, r)).toBe(true);
    expect(requestMatches({ withoutHeaders: { 'x-debug': { regex: '.+' } } }, r)).toBe(true);
    expect(requestMatches({ withoutHeaders: { 'x-debug': {} } }, r)).toBe(true);
    expect(requestMatches({ headers: { 'x-debug': { regex: '.*' } } }, r)).toBe(false);
  });

  test('matches the pseudo-headers :authority, :method, :path and :scheme on the request\'s Host, method, path with query and scheme', () => {
    // GIVEN
    const r = request({ host: 'reviews', authority: 'reviews:9080', path: '/shop?x=1', method: 'POST', scheme: 'http' });

    // WHEN / THEN
    expect(requestMatches({ headers: { ':authority': { exact: 'reviews:9080' } } }, r)).toBe(true);
    expect(requestMatches({ headers: { ':authority': { exact: 'reviews' } } }, r)).toBe(false);
    expect(requestMatches({ headers: { ':method': { exact: 'POST' } } }, r)).toBe(true);
    expect(requestMatches({ headers: { ':method': { exact: 'GET' } } }, r)).toBe(false);
    expect(requestMatches({ headers: { ':path': { exact: '/shop?x=1' } } }, r)).toBe(true);
    expect(requestMatches({ headers: { ':scheme': { exact: 'http' } } }, r)).toBe(true);
    expect(requestMatches({ scheme: { exact: 'https' } }, r)).toBe(false);
    expect(requestMatches({ withoutHeaders: { ':method': { exact: 'POST' } } }, r)).toBe(false);
    expect(requestMatches({ withoutHeaders: { ':method': { exact: 'GET' } } }, r)).toBe(true);
  });

  test('cannot judge a :scheme condition when the scheme is not known', () => {
    expect(requestMatches({ headers: { ':scheme': { exact: 'https' } } }, request())).toBeUndefined();
    expect(requestMatches({ scheme: { exact: 'https' } }, request())).toBeUndefined();
  });

  test('a match-level gateways list restricts the gateway', () => {
    expect(requestMatches({ gateways: ['website-gateway'] }, request())).toBe(true);
    expect(requestMatches({ gateways: ['mesh'] }, request())).toBe(false);
  });

  test('resolves a match\'s gateway names in the VirtualService\'s namespace, as pilot\'s resolveGatewayName does', () => {
    // GIVEN a request through istio-system/public
    const r = request({ gateway: 'istio-system/public' });

    // WHEN / THEN a short name is the VirtualService namespace's Gateway, the legacy FQDN form names istio-system/public
    expect(requestMatches({ gateways: ['public'] }, r, 'shop')).toBe(false);
    expect(requestMatches({ gateways: ['public'] }, r, 'istio-system')).toBe(true);
    expect(requestMatches({ gateways: ['istio-system/public'] }, r, 'shop')).toBe(true);
    expect(requestMatches({ gateways: ['public.istio-system.svc.cluster.local'] }, r, 'shop')).toBe(true);
  });

  test('a match that names gateways leaves its sourceLabels and sourceNamespace unused', () => {
    expect(requestMatches({ gateways: ['website-gateway'], sourceLabels: { app: 'x' }, sourceNamespace: 'other' }, request(), 'default')).toBe(true);
    expect(requestMatches({ sourceLabels: { app: 'x' } }, request(), 'default')).toBeUndefined();
    expect(matchCovers({ gateways: ['a'], sourceLabels: { app: 'x' } }, { gateways: ['a'] })).toBe(true);
    expect(matchCovers({ sourceLabels: { app: 'x' } }, { gateways: ['a'], sourceLabels: { app: 'x' } })).toBe(false);
  });

  test('a withoutHeaders condition that takes "" does not cover a later presence one, which a missing header passes', () => {
    expect(matchCovers({ withoutHeaders: { qa: { regex: '.*' } } }, { withoutHeaders: { qa: {} } })).toBe(false);
    expect(matchCovers({ withoutHeaders: { qa: { prefix: '' } } }, { withoutHeaders: { qa: {} } })).toBe(false);
    expect(matchCovers({ withoutHeaders: { qa: { prefix: 'canary' } } }, { withoutHeaders: { qa: {} } })).toBe(true);
    expect(matchCovers({ withoutHeaders: { qa: { regex: '.*' } } }, { withoutHeaders: { qa: { regex: '.*' } } })).toBe(true);
  });

  test('cannot tell for conditions the request description does not carry', () => {
    expect(requestMatches({ sourceLabels: { app: 'x' } }, request())).toBeUndefined();
    expect(requestMatches({ sourceLabels: { app: 'x' }, uri: { exact: '/nope' } }, request())).toBe(false);
  });
});

describe('isCatchAll and matchKey', () => {
  test('no match, or a match without conditions, takes every request', () => {
    expect(isCatchAll({ route: [] })).toBe(true);
    expect(isCatchAll({ match: [{ name: 'all' }] })).toBe(true);
    expect(isCatchAll({ match: [{ uri: { prefix: '/' } }] })).toBe(false);
  });

  test('matchKey ignores names and key order', () => {
    expect(matchKey({ name: 'a', headers: { x: { exact: '1' } }, uri: { prefix: '/' } })).toBe(matchKey({ uri: { prefix: '/' }, headers: { x: { exact: '1' } } }));
    expect(matchKey({ headers: { x: { exact: '1' } } })).not.toBe(matchKey({ headers: { x: { exact: '2' } } }));
  });
});

describe('stringCovers', () => {
  test('an empty condition takes every value; exact takes itself; prefix takes longer prefixes and exact values under it', () => {
    expect(stringCovers({}, { exact: 'a' })).toBe(true);
    expect(stringCovers(undefined, { prefix: 'a' })).toBe(true);
    expect(stringCovers({ exact: 'a' }, { exact: 'a' })).toBe(true);
    expect(stringCovers({ exact: 'a' }, { prefix: 'a' })).toBe(false);
    expect(stringCovers({ prefix: '/a' }, { prefix: '/a/b' })).toBe(true);
    expect(stringCovers({ prefix: '/a' }, { exact: '/a' })).toBe(true);
    expect(stringCovers({ prefix: '/a/b' }, { prefix: '/a' })).toBe(false);
    expect(stringCovers({ prefix: '/a' }, { regex: '/a.*' })).toBe(false);
    expect(stringCovers({ prefix: '/a' }, {})).toBe(false);
    expect(stringCovers({ prefix: '/a' }, undefined)).toBe(false);
  });

  test('a regex takes the same regex and the exact values it matches whole; unknown conditions take nothing', () => {
    expect(stringCovers({ regex: 'v[0-9]' }, { regex: 'v[0-9]' })).toBe(true);
    expect(stringCovers({ regex: 'v[0-9]' }, { exact: 'v1' })).toBe(true);
    expect(stringCovers({ regex: 'v[0-9]' }, { exact: 'v10' })).toBe(false);
    expect(stringCovers({ regex: 'v[0-9]' }, { prefix: 'v1' })).toBe(false);
    expect(stringCovers({ suffix: 'x' }, { exact: 'x' })).toBe(false);
  });

  test('case: a case-insensitive condition takes values of any case, a case-sensitive one not a case-insensitive one', () => {
    expect(stringCovers({ prefix: '/API' }, { exact: '/api/x' }, true, false)).toBe(true);
    expect(stringCovers({ exact: '/API' }, { exact: '/api' }, true, true)).toBe(true);
    expect(stringCovers({ exact: '/API' }, { exact: '/api' })).toBe(false);
    expect(stringCovers({ prefix: '/api' }, { prefix: '/api' }, false, true)).toBe(false);
    // ignoreUriCase leaves a regex case-sensitive (Envoy ignores case_sensitive for safe_regex)
    expect(stringCovers({ regex: '/API' }, { exact: '/api' }, true, false)).toBe(false);
    expect(stringCovers({ regex: '/API' }, { exact: '/API' }, true, false)).toBe(true);
    expect(stringCovers({ regex: '/a.*' }, { regex: '/a.*' }, false, true)).toBe(true);
  });
});

describe('matchCovers and l4MatchCovers', () => {
  test('an earlier match takes a later one when the later is at least as narrow on every field the earlier tests', () => {
    expect(matchCovers({}, { uri: { exact: '/' } })).toBe(true);
    expect(matchCovers({ name: 'a', statPrefix: 's' }, {})).toBe(true);
    expect(matchCovers({ uri: { prefix: '/' } }, {})).toBe(false);
    expect(matchCovers({ method: { exact: 'GET' }, scheme: { exact: 'https' }, authority: { prefix: 'www.' } }, { method: { exact: 'GET' }, scheme: { exact: 'https' }, authority: { exact: 'www.example.com' } })).toBe(true);
    expect(matchCovers({ method: { exact: 'GET' } }, { method: { exact: 'POST' } })).toBe(false);
    expect(matchCovers({ queryParams: { v: { exact: '1' } } }, { queryParams: { v: { exact: '1' }, w: {} } })).toBe(true);
    expect(matchCovers({ queryParams: { v: { exact: '1' } } }, { headers: { v: { exact: '1' } } })).toBe(false);
    expect(matchCovers({ sourceNamespace: 'a' }, { sourceNamespace: 'a' })).toBe(true);
    expect(matchCovers({ sourceNamespace: 'a' }, {})).toBe(false);
    expect(matchCovers({ port: 80 }, { port: 80 })).toBe(true);
    expect(matchCovers({ gateways: ['a'] }, {})).toBe(false);
    expect(matchCovers({ unknownField: 1 }, { unknownField: 1 })).toBe(false);
  });

  test('L4: ports, subnets, SNI hosts by wildcard, source labels', () => {
    expect(l4MatchCovers({}, { port: 1 })).toBe(true);
    expect(l4MatchCovers({ port: 1, sourceSubnet: '10.0.0.0/8' }, { port: 1, sourceSubnet: '10.0.0.0/8' })).toBe(true);
    expect(l4MatchCovers({ sniHosts: ['*.example.com'] }, { sniHosts: ['a.example.com', 'b.example.com'] })).toBe(true);
    expect(l4MatchCovers({ sniHosts: ['*.example.com'] }, { sniHosts: ['a.example.com', 'example.org'] })).toBe(false);
    expect(l4MatchCovers({ sniHosts: ['a.example.com'] }, {})).toBe(false);
    expect(l4MatchCovers({ gateways: ['a', 'b'] }, { gateways: ['b'] })).toBe(true);
    expect(l4MatchCovers({ sourceLabels: { a: '1' } }, { sourceLabels: { a: '1', b: '2' } })).toBe(true);
    expect(l4MatchCovers({ other: 1 }, { other: 1 })).toBe(false);
  });
});

describe('port matches', () => {
  const plain = request();

  test('a port match holds for the same port, fails for another, and cannot be judged without a port', () => {
    expect(requestMatches({ port: 8080 }, { ...plain, port: 8080 })).toBe(true);
    expect(requestMatches({ port: 8080 }, { ...plain, port: 80 })).toBe(false);
    expect(requestMatches({ port: 8080 }, plain)).toBeUndefined();
    // statPrefix only names the route's statistics
    expect(requestMatches({ statPrefix: 'shop', uri: { prefix: '/' } }, plain)).toBe(true);
    expect(isCatchAll({ match: [{ statPrefix: 'shop' }] })).toBe(true);
  });
});

describe('envoyCatchAll', () => {
  test('takes a match of path / or .* with only port, gateway or source conditions as a route that takes every request', () => {
    for (const match of [undefined, {}, { uri: { prefix: '/' } }, { uri: { regex: '.*' }, ignoreUriCase: true }, { port: 80, gateways: ['gw'], name: 'all' }, { headers: {} }]) {
      expect(envoyCatchAll(match as HttpMatchJson), JSON.stringify(match)).toBe(true);
    }
  });

  test('fails if the match tests a longer path, an exact path, a header, the method, the authority, the scheme or a query parameter', () => {
    for (const match of [{ uri: { prefix: '/api' } }, { uri: { exact: '/' } }, { uri: { regex: '/.*' } }, { headers: { a: {} } }, { withoutHeaders: { a: {} } },
      { method: { exact: 'GET' } }, { authority: { prefix: 'a' } }, { scheme: { exact: 'https' } }, { queryParams: { a: {} } }, { unknownField: 1 }]) {
      expect(envoyCatchAll(match as HttpMatchJson), JSON.stringify(match)).toBe(false);
    }
  });
});
