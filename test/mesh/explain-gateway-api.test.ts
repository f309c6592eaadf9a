import { describe, expect, test } from 'vitest';
import { describeRouteMatch, routeMatchAdmits } from '../../lib/mesh/explain-gateway-api';
import { RequestDescription } from '../../lib/mesh/http-match';
import { RouteMatchJson } from '../../lib/mesh/json';

function request(path: string, extra: Partial<RequestDescription> = {}): RequestDescription {
  return { gateway: 'mesh', host: 'web', path, headers: {}, method: 'GET', ...extra };
}

describe('routeMatchAdmits', () => {
  test.each<[RouteMatchJson, string, boolean]>([
    [{}, '/anything', true],
    [{ path: { type: 'PathPrefix', value: '/shop' } }, '/shop', true],
    [{ path: { type: 'PathPrefix', value: '/shop' } }, '/shop/cart', true],
    [{ path: { type: 'PathPrefix', value: '/shop/' } }, '/shop', true],
    [{ path: { type: 'PathPrefix', value: '/shop' } }, '/shopping', false],
    [{ path: { type: 'PathPrefix', value: '/shop' } }, '/shop?x=1', true],
    [{ path: { type: 'Exact', value: '/shop' } }, '/shop', true],
    [{ path: { type: 'Exact', value: '/shop' } }, '/shop/', false],
    [{ path: { type: 'RegularExpression', value: '/item/[0-9]+' } }, '/item/42', true],
    [{ path: { type: 'RegularExpression', value: '/item/[0-9]+' } }, '/item/42/x', false],
    [{ path: { type: 'RegularExpression', value: '([' } }, '/', false],
  ])('match %j and path %s: %s', (match, path, expected) => {
    expect(routeMatchAdmits(match, request(path))).toBe(expected);
  });

  test('headers match by name in any case and by exact value or a whole regular expression', () => {
    // GIVEN a request with a header (names are lower-cased by explain)
    const r = request('/', { headers: { 'x-user': 'qa-7' } });
    // WHEN / THEN
    expect(routeMatchAdmits({ headers: [{ name: 'X-User', value: 'qa-7' }] }, r)).toBe(true);
    expect(routeMatchAdmits({ headers: [{ name: 'x-user', value: 'qa' }] }, r)).toBe(false);
    expect(routeMatchAdmits({ headers: [{ type: 'RegularExpression', name: 'x-user', value: 'qa-[0-9]' }] }, r)).toBe(true);
    expect(routeMatchAdmits({ headers: [{ type: 'RegularExpression', name: 'x-user', value: 'qa' }] }, r)).toBe(false);
    expect(routeMatchAdmits({ headers: [{ name: 'x-other', value: 'qa-7' }] }, r)).toBe(false);
  });

  test('query parameters and the method must all match', () => {
    // GIVEN / WHEN / THEN
    expect(routeMatchAdmits({ queryParams: [{ name: 'v', value: '2' }] }, request('/?v=2&w=1'))).toBe(true);
    expect(routeMatchAdmits({ queryParams: [{ name: 'v', value: '2' }] }, request('/?v=3'))).toBe(false);
    expect(routeMatchAdmits({ queryParams: [{ name: 'v', value: '2' }] }, request('/'))).toBe(false);
    expect(routeMatchAdmits({ method: 'POST' }, request('/', { method: 'POST' }))).toBe(true);
    expect(routeMatchAdmits({ method: 'POST' }, request('/'))).toBe(false);
  });
});

describe('describeRouteMatch', () => {
  test('says each condition of a match, and every request for none', () => {
    // GIVEN / WHEN / THEN
    expect(describeRouteMatch({})).toBe('every request');
    expect(describeRouteMatch({
      path: { type: 'PathPrefix', value: '/shop' }, method: 'GET',
      headers: [{ name: 'qa', value: 'yes' }], queryParams: [{ type: 'RegularExpression', name: 'v', value: '[0-9]' }],
    })).toBe('path starting with "/shop" and method GET and header qa exactly "yes" and query parameter v matching /[0-9]/');
    expect(describeRouteMatch({ path: { type: 'Exact', value: '/' } })).toBe('path exactly "/"');
  });
});
