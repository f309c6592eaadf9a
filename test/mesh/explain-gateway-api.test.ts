import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CanaryRelease, IstioEntry, Percentage, TrafficApi, Website, Weight } from '../../lib';
import { explain, ExplainOptions, formatExplanation } from '../../lib/mesh/explain';
import { describeRouteMatch, routeMatchAdmits } from '../../lib/mesh/explain-gateway-api';
import { RequestDescription } from '../../lib/mesh/http-match';
import { RouteMatchJson } from '../../lib/mesh/json';
import { mermaidDiagram } from '../../lib/mesh/diagram';
import { errorsOf, verifyManifests } from '../../lib/mesh/verify';
import { deployment, service } from '../support/fixtures';
import { parseManifests, schemaErrors } from '../support/schema';

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

describe('explain and the filters of an HTTPRoute rule', () => {
  const apiGateway = (listeners: object[] = [{ name: 'http', port: 80, protocol: 'HTTP' }]) => ({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'shop-gateway' }, spec: { gatewayClassName: 'istio', listeners },
  });
  const shopRoute = (rules: object[]) => ({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'x', namespace: 'shop' },
    spec: { parentRefs: [{ name: 'shop-gateway', namespace: 'default' }], hostnames: ['shop.example.com'], rules },
  });
  const all = { ...apiGateway(), spec: { ...apiGateway().spec, listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] } };
  const backends = [service('web', { ns: 'shop' }), deployment('web', { app: 'web' }, { ns: 'shop' }), service('web-v2', { ns: 'shop' }), deployment('web-v2', { app: 'web-v2' }, { ns: 'shop' })];
  const mirror = (requestMirror: object) => ({ type: 'RequestMirror', requestMirror });
  const ask = (rules: object[], options: ExplainOptions = {}, gateway: object = all) => explain([gateway, shopRoute(rules), ...backends], { host: 'shop.example.com', ...options });

  test('lists the copies of RequestMirror filters as mirrors, with the percent, the fraction or 100%', () => {
    // GIVEN a rule that mirrors three times
    const e = ask([{
      filters: [
        mirror({ backendRef: { name: 'web-v2', port: 80 }, percent: 10 }),
        mirror({ backendRef: { name: 'web-v2', namespace: 'shop', port: 80 }, fraction: { numerator: 5, denominator: 1000 } }),
        mirror({ backendRef: { name: 'audit', namespace: 'audit', port: 80 } }),
      ],
      backendRefs: [{ name: 'web', port: 80 }],
    }]);
    // THEN the request still goes to its backend; the copies do not count in the shares
    expect(e.destinations.map((d) => [d.percent, d.host])).toEqual([[100, 'web.shop.svc.cluster.local']]);
    expect(e.mirrors).toEqual([
      { percent: 10, host: 'web-v2.shop.svc.cluster.local' },
      { percent: 0.5, host: 'web-v2.shop.svc.cluster.local' },
      { percent: 100, host: 'audit.audit.svc.cluster.local' },
    ]);
    expect(formatExplanation(e)).toContain('\n  mirror 10% -> web-v2.shop.svc.cluster.local (copies, responses ignored)\n');
  });

  test('near miss: a rule without RequestMirror filter mirrors nothing, and a mirror to another kind than Service is named, not listed', () => {
    expect(ask([{ backendRefs: [{ name: 'web', port: 80 }] }]).mirrors).toEqual([]);
    const other = ask([{ filters: [mirror({ backendRef: { group: 'networking.istio.io', kind: 'Hostname', name: 'audit.example.com', port: 80 } })], backendRefs: [{ name: 'web', port: 80 }] }]);
    expect(other.mirrors).toEqual([]);
    expect(other.notes).toEqual(['rule 1 of HTTPRoute shop/x also mirrors to Hostname audit.example.com (group "networking.istio.io"), which is not a Service: explain leaves it out']);
  });

  test('says that a RequestRedirect rule answers with a redirect (302 by default) for the request asked about, and lists no destination nor mirror', () => {
    // GIVEN a rule that redirects /old to HTTPS, with backendRefs and a mirror it never uses
    const e = ask([{
      matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
      filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } } }, mirror({ backendRef: { name: 'web-v2', port: 80 } })],
      backendRefs: [{ name: 'web', port: 80 }],
    }, { backendRefs: [{ name: 'web', port: 80 }] }], { path: '/old/cart?x=1' });
    // THEN
    expect(e.redirect).toEqual({ status: 302, location: 'https://shop.example.com/new/cart?x=1' });
    expect(e.destinations).toEqual([]);
    expect(e.mirrors).toEqual([]);
    expect(formatExplanation(e)).toBe([
      'request: GET /old/cart?x=1, host shop.example.com, via default/shop-gateway',
      'matched: HTTPRoute shop/x, rule 1: path starting with "/old"',
      'note: rule 1 of HTTPRoute shop/x answers with a 302 redirect to https://shop.example.com/new/cart?x=1; its backendRefs get no request (the API server refuses backendRefs beside a RequestRedirect filter)',
      '',
    ].join('\n'));
    // Near miss: another path takes the second rule, which routes.
    const other = ask([{ matches: [{ path: { type: 'PathPrefix', value: '/old' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] }, { backendRefs: [{ name: 'web', port: 80 }] }], { path: '/older' });
    expect(other.redirect).toBeUndefined();
    expect(other.destinations.map((d) => d.host)).toEqual(['web.shop.svc.cluster.local']);
  });

  test('keeps the port the request came to when the redirect sets neither port nor scheme, and the listener\'s scheme', () => {
    // GIVEN an HTTPS listener on 8443
    const https = apiGateway([{ name: 'https', port: 8443, protocol: 'HTTPS', allowedRoutes: { namespaces: { from: 'All' } } }]);
    const rules = [{ filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'www.example.com', statusCode: 301 } }] }];
    // WHEN / THEN
    expect(ask(rules, { path: '/a' }, https).redirect).toEqual({ status: 301, location: 'https://www.example.com:8443/a' });
    expect(ask(rules, { path: '/a' }).redirect).toEqual({ status: 301, location: 'http://www.example.com/a' });
  });

  test('says what a URLRewrite filter changes, and still sends the request to the backends', () => {
    // GIVEN
    const e = ask([{
      matches: [{ path: { type: 'PathPrefix', value: '/shop' } }],
      filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'web.internal', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
      backendRefs: [{ name: 'web', port: 80 }],
    }], { path: '/shop/cart' });
    // THEN
    expect(e.destinations.map((d) => d.host)).toEqual(['web.shop.svc.cluster.local']);
    expect(e.notes).toEqual(['rule 1 of HTTPRoute shop/x rewrites the request before it reaches its backends: host to "web.internal", path to "/cart"']);
  });

  test('says nothing about header modifiers, which do not change where requests go', () => {
    const e = ask([{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-canary', value: 'no' }] } }], backendRefs: [{ name: 'web', port: 80 }] }]);
    expect(e.notes).toEqual([]);
    expect(e.destinations.map((d) => d.percent)).toEqual([100]);
  });

  test('says that a rule without backendRefs nor redirect is answered 500, as Istio answers it', () => {
    const e = ask([{ filters: [mirror({ backendRef: { name: 'web-v2', port: 80 } })] }]);
    expect(e.directResponse).toEqual({ status: 500 });
    expect(e.mirrors).toEqual([]);
    expect(e.notes).toEqual(['rule 1 of HTTPRoute shop/x has no backendRefs and no RequestRedirect filter: the request is answered 500']);
  });
});

describe('explain on the library\'s own Gateway API output', () => {
  function synthesized(): any[] {
    const chart = Testing.chart();
    const website = new Website(chart, 'site', { serviceName: 'website', versions: ['v1', 'v2'].map((name) => ({ name, image: `img:${name}` })) });
    const entry = new IstioEntry(chart, 'entry', {
      website, api: TrafficApi.GATEWAY_API, gatewayName: 'gw', routeName: 'website', hosts: ['www.example.com'], tls: { credentialName: 'www-cert' },
    });
    new CanaryRelease(chart, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20), stickySession: { maxAge: Duration.hours(1) }, mirrorToCanary: Percentage.of(10) });
    return Testing.synth(chart);
  }

  test('finds the copies mirrorToCanary sends to the canary, and the HTTP to HTTPS redirect', () => {
    // GIVEN a sticky release that mirrors 10% of stable's requests to the canary, behind HTTPS with a redirect from HTTP
    const manifests = synthesized();
    // WHEN a stable user (with stable's cookie) and a plain HTTP request are explained
    const stable = explain(manifests, { host: 'www.example.com', port: 443, headers: { cookie: 'canary=v1' } });
    const http = explain(manifests, { host: 'www.example.com', port: 80, path: '/shop?x=1' });
    // THEN
    expect(stable.destinations.map((d) => [d.percent, d.host])).toEqual([[100, 'website-v1.default.svc.cluster.local']]);
    expect(stable.mirrors).toEqual([{ percent: 10, host: 'website-v2.default.svc.cluster.local' }]);
    expect(formatExplanation(stable)).toContain('\n  mirror 10% -> website-v2.default.svc.cluster.local (copies, responses ignored)\n');
    expect(http.redirect).toEqual({ status: 301, location: 'https://www.example.com/shop?x=1' });
    expect(http.destinations).toEqual([]);
    // Near miss: a new user (no cookie) is split 20/80 by the rule that sets the cookie, which mirrors nothing.
    const fresh = explain(manifests, { host: 'www.example.com', port: 443 });
    expect(fresh.destinations.map((d) => d.percent)).toEqual([20, 80]);
    expect(fresh.mirrors).toEqual([]);
  });
});

describe('the shop fixture of docs/verify.md (test/fixtures/shop-gateway-api.yaml)', () => {
  const manifests = () => parseManifests(readFileSync(join(__dirname, '..', 'fixtures', 'shop-gateway-api.yaml'), 'utf8'));

  test('is accepted by the v1.5.1 schemas (CEL rules included) and verifies without errors', () => {
    expect(manifests().flatMap((m) => schemaErrors(m))).toEqual([]);
    expect(errorsOf(verifyManifests(manifests()))).toEqual([]);
  });

  test('explain: HTTP is redirected to HTTPS on the listener\'s port, an old prefix to the new one, other requests mirrored', () => {
    const ask = (port: number, path: string) => explain(manifests(), { host: 'shop.example.com', port, path });
    expect(ask(80, '/cart?id=7').redirect).toEqual({ status: 301, location: 'https://shop.example.com/cart?id=7' });
    expect(ask(443, '/old-shop/cart').redirect).toEqual({ status: 301, location: 'https://shop.example.com/shop/cart' });
    expect(ask(443, '/cart').mirrors).toEqual([{ percent: 10, host: 'shop-v2.default.svc.cluster.local' }]);
  });

  test('diagram: the redirects take the scheme of the listeners their routes are attached to and the routes\' host', () => {
    const diagram = mermaidDiagram(manifests());
    expect(diagram).toContain('(["301 redirect<br/>https://shop.example.com#lt;path#gt;"])');
    expect(diagram).toContain('(["301 redirect<br/>https://shop.example.com#lt;path, with prefix #quot;/old-shop#quot; replaced by #quot;/shop#quot;#gt;"])');
    expect(diagram).toMatch(/\n {2}(n\d+)\["any pod<br\/>shop-v2\.default\.svc\.cluster\.local"\]\n {2}n\d+ -\.->\|mirror\| \1\n/);
  });
});
