import { describe, expect, test } from 'vitest';
import { isCatchAll, matchKey, requestMatches, RequestDescription, stringMatches } from '../../lib/mesh/http-match';

const request = (over: Partial<RequestDescription> = {}): RequestDescription => ({
  gateway: 'default/website-gateway', host: 'www.example.com', path: '/', headers: {}, method: 'GET', ...over,
});

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
});

describe('requestMatches', () => {
  test('headers, uri, query parameters, method, authority and withoutHeaders', () => {
    const r = request({ path: '/shop/cart?user=ann', headers: { qa: 'canary-test' }, method: 'POST' });
    expect(requestMatches({ headers: { qa: { exact: 'canary-test' } } }, r)).toBe(true);
    expect(requestMatches({ headers: { qa: { exact: 'other' } } }, r)).toBe(false);
    expect(requestMatches({ uri: { prefix: '/shop' } }, r)).toBe(true);
    expect(requestMatches({ uri: { exact: '/shop/cart' } }, r)).toBe(true);
    expect(requestMatches({ uri: { prefix: '/SHOP' }, ignoreUriCase: true }, r)).toBe(true);
    expect(requestMatches({ queryParams: { user: { exact: 'ann' } } }, r)).toBe(true);
    expect(requestMatches({ method: { exact: 'GET' } }, r)).toBe(false);
    expect(requestMatches({ authority: { exact: 'www.example.com' } }, r)).toBe(true);
    expect(requestMatches({ withoutHeaders: { qa: {} } }, r)).toBe(false);
    expect(requestMatches({ withoutHeaders: { 'x-debug': {} } }, r)).toBe(true);
  });

  test('a match-level gateways list restricts the gateway', () => {
    expect(requestMatches({ gateways: ['website-gateway'] }, request())).toBe(true);
    expect(requestMatches({ gateways: ['mesh'] }, request())).toBe(false);
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
