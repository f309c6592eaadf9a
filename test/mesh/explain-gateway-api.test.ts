import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CanaryRelease, IstioEntry, Percentage, TrafficApi, Website, Weight } from '../../lib';
import { explain, ExplainOptions, formatExplanation } from '../../lib/mesh/explain';
import { describeGrpcMatch, describeRouteMatch, grpcMatchAdmits, grpcPath, routeMatchAdmits } from '../../lib/mesh/explain-gateway-api';
import { RequestDescription } from '../../lib/mesh/http-match';
import { GrpcRouteMatchJson, RouteMatchJson } from '../../lib/mesh/json';
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

describe('grpcPath: the path Istio makes of a GRPCRoute method match', () => {
  test.each<[GrpcRouteMatchJson, ReturnType<typeof grpcPath>]>([
    [{ method: { service: 'pkg.Users', method: 'Login' } }, { type: 'Exact', value: '/pkg.Users/Login' }],
    [{ method: { service: 'pkg.Users' } }, { type: 'Prefix', value: '/pkg.Users/' }],
    [{ method: { method: 'Login' } }, { type: 'Regex', value: '/[^/]+/Login' }],
    [{ method: { type: 'RegularExpression', service: 'pkg\\..*', method: 'Log.*' } }, { type: 'Regex', value: '/pkg\\..*/Log.*' }],
    [{ method: { type: 'RegularExpression', service: 'pkg\\..*' } }, { type: 'Regex', value: '/pkg\\..*/.+' }],
    [{ method: { type: 'RegularExpression', method: 'Log.*' } }, { type: 'Regex', value: '/[^/]+/Log.*' }],
    [{ headers: [{ name: 'env', value: 'canary' }] }, undefined],
    [{ method: {} }, null],
  ])('match %j: %j', (match, expected) => {
    expect(grpcPath(match)).toEqual(expected);
  });
});

describe('grpcMatchAdmits and describeGrpcMatch', () => {
  test.each<[GrpcRouteMatchJson | undefined, string, boolean]>([
    [undefined, '/anything', true],
    [{ method: { service: 'pkg.Users', method: 'Login' } }, '/pkg.Users/Login', true],
    [{ method: { service: 'pkg.Users', method: 'Login' } }, '/pkg.Users/Logout', false],
    [{ method: { service: 'pkg.Users' } }, '/pkg.Users/Get', true],
    // Near miss: a service whose name only starts with the one matched.
    [{ method: { service: 'pkg.Users' } }, '/pkg.UsersAdmin/Get', false],
    [{ method: { method: 'Login' } }, '/any.Service/Login', true],
    [{ method: { method: 'Login' } }, '/any.Service/LoginAgain', false],
    [{ method: { type: 'RegularExpression', service: 'pkg\\.U.*' } }, '/pkg.Users/Get', true],
    [{ method: { type: 'RegularExpression', service: 'pkg\\.U.*' } }, '/pkg.Users/', false],
    [{ method: {} }, '/pkg.Users/Get', false],
  ])('match %j and path %s: %s', (match, path, expected) => {
    expect(grpcMatchAdmits(match, request(path))).toBe(expected);
  });

  test('headers match by name in any case and by exact value or a whole regular expression', () => {
    // GIVEN a call with a header
    const r = request('/pkg.Users/Get', { headers: { env: 'canary-2' } });
    // WHEN / THEN
    expect(grpcMatchAdmits({ headers: [{ name: 'Env', value: 'canary-2' }] }, r)).toBe(true);
    expect(grpcMatchAdmits({ headers: [{ name: 'env', value: 'canary' }] }, r)).toBe(false);
    expect(grpcMatchAdmits({ headers: [{ type: 'RegularExpression', name: 'env', value: 'canary-[0-9]' }] }, r)).toBe(true);
    expect(grpcMatchAdmits({ headers: [{ type: 'RegularExpression', name: 'env', value: 'canary' }] }, r)).toBe(false);
  });

  test('says the method in the form package.Service/Method, and every request for none', () => {
    // GIVEN / WHEN / THEN
    expect(describeGrpcMatch(undefined)).toBe('every request');
    expect(describeGrpcMatch({ method: { service: 'pkg.Users', method: 'Login' }, headers: [{ name: 'env', value: 'canary' }] }))
      .toBe('method pkg.Users/Login and header env exactly "canary"');
    expect(describeGrpcMatch({ method: { service: 'pkg.Users' } })).toBe('any method of service pkg.Users');
    expect(describeGrpcMatch({ method: { method: 'Login' } })).toBe('method Login of any service');
    expect(describeGrpcMatch({ method: { type: 'RegularExpression', service: 'pkg\\..*', method: 'Log.*' }, headers: [{ type: 'RegularExpression', name: 'env', value: 'c.*' }] }))
      .toBe('service matching /pkg\\..*/ and method matching /Log.*/ and header env matching /c.*/');
  });
});

describe('explain on the gRPC and TLS fixture of docs/verify.md (test/fixtures/grpc-tls-routes.yaml)', () => {
  const manifests = () => parseManifests(readFileSync(join(__dirname, '..', 'fixtures', 'grpc-tls-routes.yaml'), 'utf8'));
  const ask = (options: ExplainOptions) => explain(manifests(), options);

  test('follows the GRPCRoute: a method to the stable Service, a header to the canary, and the exact method before the header', () => {
    // GIVEN the fixture's GRPCRoute: rule 1 takes the service's calls with env: canary, rule 2 two methods exactly
    // WHEN
    const login = ask({ host: 'grpc.example.com', path: '/com.example.User/Login' });
    const canary = ask({ host: 'grpc.example.com', path: '/com.example.User/Get', headers: { env: 'canary' } });
    const loginCanary = ask({ host: 'grpc.example.com', path: '/com.example.User/Login', headers: { env: 'canary' } });
    // THEN
    expect(formatExplanation(login)).toBe([
      'request: GET /com.example.User/Login, host grpc.example.com, via default/edge',
      'matched: GRPCRoute default/users, rule 2: method com.example.User/Login',
      '  100% -> users.default.svc.cluster.local -> Deployment default/users (3 pods)',
      '',
    ].join('\n'));
    expect(login.grpcRoute).toEqual({ kind: 'GRPCRoute', namespace: 'default', name: 'users' });
    expect(login.httpRoute).toBeUndefined();
    expect(canary.rule).toEqual({ number: 1, matchedBy: 'any method of service com.example.User and header env exactly "canary"' });
    expect(canary.destinations.map((d) => `${d.percent} ${d.host} ${d.workloads.map((w) => `${w.ref.name}:${w.replicas}`)}`)).toEqual(['100 users-canary.default.svc.cluster.local users-canary:1']);
    // Istio puts an exact path (the whole method) before a prefix (the service), whatever the headers.
    expect(loginCanary.rule?.number).toBe(2);
  });

  test('near miss: a call no rule takes is answered 404, with a hint at the form of a gRPC call\'s path', () => {
    // GIVEN / WHEN
    const other = ask({ host: 'grpc.example.com', path: '/com.example.User/Get' });
    const root = ask({ host: 'grpc.example.com' });
    // THEN
    expect(other.rule).toBeUndefined();
    expect(other.grpcRoute).toEqual({ kind: 'GRPCRoute', namespace: 'default', name: 'users' });
    expect(other.notes).toEqual(['no rule of GRPCRoute default/users matches: the request is answered 404']);
    expect(root.notes).toEqual([
      'no rule of GRPCRoute default/users matches: the request is answered 404',
      'GRPCRoute default/users takes gRPC calls for this host: describe a call by its path, /package.Service/Method',
    ]);
  });

  test('names the TLSRoute that takes a host on TLS listeners, and claims no 404 there', () => {
    // GIVEN / WHEN
    const vault = ask({ host: 'vault.example.com' });
    const grpcOnTls = ask({ host: 'grpc.example.com', port: 443 });
    // THEN
    expect(vault.tls).toEqual({ routes: [{ kind: 'TLSRoute', namespace: 'default', name: 'vault' }], tlsOnly: true });
    expect(vault.notes).toEqual(['the listeners of default/edge that take host vault.example.com are TLS listeners: they carry TLS connections, not HTTP requests, so no HTTP route applies']);
    expect(vault.warnings).toEqual(['TLSRoute default/vault takes TLS connections for host vault.example.com through default/edge (by SNI name); explain follows HTTP requests, not TLS connections, so it does not say where those go']);
    expect(grpcOnTls.tls).toEqual({ routes: [], tlsOnly: true });
    expect(grpcOnTls.notes.join('\n')).not.toContain('404');
    // Near miss: on the gRPC port, the same host is not a TLS host.
    expect(ask({ host: 'grpc.example.com', port: 50051, path: '/com.example.User/Login' }).tls).toBeUndefined();
  });
});

describe('explain with GRPCRoutes and HTTPRoutes on one Gateway and host', () => {
  const gw = {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw' },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  };
  const route = (kind: 'HTTPRoute' | 'GRPCRoute', name: string, rules: object[]) => ({
    apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name }, spec: { parentRefs: [{ name: 'gw' }], hostnames: ['api.example.com'], rules },
  });
  const backends = ['http-app', 'grpc-app', 'grpc-v2', 'shadow'].flatMap((name) => [service(name), deployment(name, { app: name }, { replicas: 2 })]);
  const ask = (routes: object[], path: string, options: ExplainOptions = {}) => explain([gw, ...routes, ...backends], { host: 'api.example.com', path, ...options });
  const to = (name: string) => [{ name, port: 80 }];

  test('orders the matches of both kinds together as Istio does: the longer path first, whatever the kind', () => {
    // GIVEN an HTTPRoute prefix "/pkg.Users" and a GRPCRoute for the service, whose path is the longer prefix "/pkg.Users/"
    const http = route('HTTPRoute', 'a-http', [{ matches: [{ path: { type: 'PathPrefix', value: '/pkg.Users' } }], backendRefs: to('http-app') }]);
    const grpc = route('GRPCRoute', 'z-grpc', [{ matches: [{ method: { service: 'pkg.Users' } }], backendRefs: to('grpc-app') }]);
    // WHEN
    const e = ask([http, grpc], '/pkg.Users/Get');
    // THEN
    expect(e.grpcRoute?.name).toBe('z-grpc');
    expect(e.destinations.map((d) => d.host)).toEqual(['grpc-app.default.svc.cluster.local']);
    // Near miss: an exact HTTPRoute path for the method comes before the GRPCRoute's prefix.
    const exact = route('HTTPRoute', 'a-http', [{ matches: [{ path: { type: 'Exact', value: '/pkg.Users/Get' } }], backendRefs: to('http-app') }]);
    expect(ask([exact, grpc], '/pkg.Users/Get').httpRoute?.name).toBe('a-http');
  });

  test('puts a GRPCRoute rule without matches after every match, and one with headers only after every path', () => {
    // GIVEN an HTTPRoute for "/", a GRPCRoute rule without matches, and one with a header only
    const http = route('HTTPRoute', 'z-http', [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: to('http-app') }]);
    const everything = route('GRPCRoute', 'a-grpc', [{ backendRefs: to('grpc-app') }]);
    const header = route('GRPCRoute', 'a-grpc', [{ matches: [{ headers: [{ name: 'env', value: 'v2' }] }], backendRefs: to('grpc-v2') }]);
    // WHEN / THEN
    expect(ask([http, everything], '/pkg.Users/Get').httpRoute?.name).toBe('z-http');
    expect(ask([http, header], '/pkg.Users/Get', { headers: { env: 'v2' } }).httpRoute?.name).toBe('z-http');
    // Near miss: without the HTTPRoute, the GRPCRoute takes the call.
    expect(ask([everything], '/pkg.Users/Get').rule).toEqual({ number: 1, matchedBy: 'every request' });
  });

  test('gives the shares of a GRPCRoute rule\'s backends, its RequestMirror filters as mirrors, and a failing answer for weights of 0', () => {
    // GIVEN a GRPCRoute rule with two weighted backends and a mirror
    const grpc = route('GRPCRoute', 'users', [{
      matches: [{ method: { service: 'pkg.Users', method: 'Get' } }],
      filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 80 }, percent: 5 } }],
      backendRefs: [{ name: 'grpc-app', port: 80, weight: 80 }, { name: 'grpc-v2', port: 80, weight: 20 }],
    }]);
    // WHEN
    const e = ask([grpc], '/pkg.Users/Get');
    // THEN
    expect(formatExplanation(e)).toBe([
      'request: GET /pkg.Users/Get, host api.example.com, via default/gw',
      'matched: GRPCRoute default/users, rule 1: method pkg.Users/Get',
      '   80% -> grpc-app.default.svc.cluster.local -> Deployment default/grpc-app (2 pods)',
      '   20% -> grpc-v2.default.svc.cluster.local -> Deployment default/grpc-v2 (2 pods)',
      '  mirror 5% -> shadow.default.svc.cluster.local (copies, responses ignored)',
      '',
    ].join('\n'));
    const zero = route('GRPCRoute', 'users', [{ backendRefs: [{ name: 'grpc-app', port: 80, weight: 0 }] }]);
    expect(ask([zero], '/pkg.Users/Get')).toMatchObject({ directResponse: { status: 500 }, mirrors: [] });
  });

  test('follows a GRPCRoute attached to a Service in the mesh, and names a TLSRoute attached to it', () => {
    // GIVEN a GRPCRoute and a TLSRoute attached to the Service grpc-app
    const parentRefs = [{ group: '', kind: 'Service', name: 'grpc-app', port: 80 }];
    const grpc = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'mesh-users' }, spec: { parentRefs, rules: [{ matches: [{ method: { service: 'pkg.Users' } }], backendRefs: to('grpc-v2') }] } };
    const tls = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'TLSRoute', metadata: { name: 'mesh-tls' }, spec: { parentRefs, rules: [{ backendRefs: to('grpc-v2') }] } };
    // WHEN
    const e = explain([grpc, tls, ...backends], { gateway: 'mesh', host: 'grpc-app', path: '/pkg.Users/Get' });
    // THEN
    expect(e.grpcRoute?.name).toBe('mesh-users');
    expect(e.destinations.map((d) => d.host)).toEqual(['grpc-v2.default.svc.cluster.local']);
    expect(e.warnings).toEqual(['TLSRoute default/mesh-tls takes TLS connections for host grpc-app to Service grpc-app (by SNI name); explain follows HTTP requests, not TLS connections, so it does not say where those go']);
    // Near miss: a call of another service matches no rule of the route attached to the Service.
    expect(explain([grpc, ...backends], { gateway: 'mesh', host: 'grpc-app', path: '/pkg.Orders/Get' }).notes).toEqual(['no rule of GRPCRoute default/mesh-users matches: the request is answered 404']);
  });
});

describe('explain without a host, on a Gateway with routes of both kinds', () => {
  test('fails if more than one HTTPRoute or GRPCRoute is attached, naming them by kind', () => {
    // GIVEN a Gateway with one HTTPRoute and one GRPCRoute
    const gw = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
    const of = (kind: string, name: string) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name }, spec: { parentRefs: [{ name: 'gw' }], hostnames: [`${name}.example.com`], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] } });
    // WHEN / THEN
    expect(() => explain([gw, of('HTTPRoute', 'web'), of('GRPCRoute', 'api'), service('web')])).toThrow('2 routes are attached to default/gw (HTTPRoute default/web and GRPCRoute default/api): pass --host');
    // Near miss: with the GRPCRoute alone, its host is taken.
    expect(explain([gw, of('GRPCRoute', 'api'), service('web')]).request.host).toBe('api.example.com');
  });
});

describe('explain through a Gateway API Gateway: the most specific hostname first', () => {
  const GROUP = 'gateway.networking.k8s.io';
  const gateway = (hostname?: string) => ({
    apiVersion: `${GROUP}/v1`, kind: 'Gateway', metadata: { name: 'edge' },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', ...(hostname !== undefined ? { hostname } : {}) }] },
  });
  const route = (name: string, hostnames: string[], rules: unknown[]) => ({
    apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute', metadata: { name }, spec: { parentRefs: [{ name: 'edge' }], ...(hostnames.length > 0 ? { hostnames } : {}), rules },
  });
  const to = (svc: string, path?: string) => ({ ...(path !== undefined ? { matches: [{ path: { type: 'PathPrefix', value: path } }] } : {}), backendRefs: [{ name: svc, port: 80 }] });
  const backends = [service('shop'), deployment('shop', { app: 'shop' }), service('sites'), deployment('sites', { app: 'sites' })];
  const goesTo = (manifests: unknown[], host: string, path: string) => {
    const e = explain(manifests as never, { gateway: 'edge', host, path });
    return [e.httpRoute?.name, e.destinations.map((d) => d.host.split('.')[0])];
  };

  test('a route for the exact host takes its requests before a wildcard route whose match is longer, and not those of other hosts', () => {
    // GIVEN a wildcard route with a /shop prefix and an exact route for shop.example.com on /
    const manifests = [gateway(), route('wild', ['*.example.com'], [to('sites', '/shop')]), route('exact', ['shop.example.com'], [to('shop')]), ...backends];
    // WHEN / THEN the exact hostname wins for its host, though the wildcard route's path is longer
    expect(goesTo(manifests, 'shop.example.com', '/shop/cart')).toEqual(['exact', ['shop']]);
    // AND another host of the wildcard goes by the wildcard route
    expect(goesTo(manifests, 'blog.example.com', '/shop/cart')).toEqual(['wild', ['sites']]);
  });

  test('a route istiod cannot convert takes nothing: the wildcard route serves its host, and a warning says why', () => {
    // GIVEN the exact route with a filter istiod refuses (ExtensionRef): istiod drops it whole
    const refused = { ...to('shop'), filters: [{ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Auth', name: 'a' } }] };
    const manifests = [gateway(), route('wild', ['*.example.com'], [to('sites')]), route('exact', ['shop.example.com'], [refused]), ...backends];
    // WHEN / THEN
    expect(goesTo(manifests, 'shop.example.com', '/cart')).toEqual(['wild', ['sites']]);
    const e = explain(manifests as never, { gateway: 'edge', host: 'shop.example.com', path: '/cart' });
    expect(e.warnings).toEqual([expect.stringMatching(/^HTTPRoute default\/exact is dropped by istiod, which cannot convert it \(rule 1 has a ExtensionRef filter/)]);
  });

  test('an in-mesh route istiod cannot convert leaves the Service\'s calls to Kubernetes', () => {
    const mesh = { apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute', metadata: { name: 'split' }, spec: { parentRefs: [{ group: '', kind: 'Service', name: 'shop', port: 80 }], rules: [{ backendRefs: [{ name: 'sites', port: 80, filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'x' } }] }] }] } };
    const e = explain([mesh, ...backends] as never, { gateway: 'mesh', host: 'shop', path: '/' });
    expect(e.httpRoute).toBeUndefined();
    expect(e.warnings.join('\n')).toContain('HTTPRoute default/split is dropped by istiod');
  });

  test('a request for the exact host that none of its route\'s rules match is answered 404, not by the wildcard route', () => {
    const manifests = [gateway(), route('wild', ['*.example.com'], [to('sites')]), route('exact', ['shop.example.com'], [to('shop', '/admin')]), ...backends];
    const e = explain(manifests as never, { gateway: 'edge', host: 'shop.example.com', path: '/cart' });
    expect(e.destinations).toEqual([]);
    expect(e.notes.join('\n')).toContain('the request is answered 404');
  });

  test('on a listener for one host, a wildcard route and a route without hostnames share that host, by path; a longer wildcard beats a shorter one', () => {
    // GIVEN a Gateway whose listener takes shop.example.com only, and a wildcard route next to a route without hostnames
    const exactListener = [gateway('shop.example.com'), route('wild', ['*.example.com'], [to('sites', '/shop')]), route('plain', [], [to('shop')]), ...backends];
    // THEN both are written under shop.example.com, and the longer path takes /shop
    expect(goesTo(exactListener, 'shop.example.com', '/shop/cart')).toEqual(['wild', ['sites']]);
    expect(goesTo(exactListener, 'shop.example.com', '/cart')).toEqual(['plain', ['shop']]);
    const wildcards = [gateway(), route('wide', ['*.example.com'], [to('sites', '/shop')]), route('narrow', ['*.eu.example.com'], [to('shop')]), ...backends];
    expect(goesTo(wildcards, 'shop.eu.example.com', '/shop/cart')).toEqual(['narrow', ['shop']]);
    expect(goesTo(wildcards, 'shop.us.example.com', '/shop/cart')).toEqual(['wide', ['sites']]);
  });
});

describe('explain and routes attached to a ListenerSet', () => {
  const GROUP = 'gateway.networking.k8s.io';
  const manifests = (setRouteHost: string) => [
    { apiVersion: `${GROUP}/v1`, kind: 'Gateway', metadata: { name: 'edge' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
    { apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute', metadata: { name: 'shop' }, spec: { parentRefs: [{ name: 'edge' }], hostnames: ['shop.example.com'], rules: [{ backendRefs: [{ name: 'shop', port: 80 }] }] } },
    { apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute', metadata: { name: 'team' }, spec: { parentRefs: [{ kind: 'ListenerSet', name: 'team-listeners' }], hostnames: [setRouteHost], rules: [{ backendRefs: [{ name: 'team', port: 80 }] }] } },
    service('shop'), deployment('shop', { app: 'shop' }),
  ];

  test('warns that a route of a ListenerSet, which explain does not read, may take the request, and not for another host', () => {
    // GIVEN / WHEN
    const e = explain(manifests('shop.example.com') as never, { gateway: 'edge', host: 'shop.example.com' });
    // THEN the Gateway's own route answers, with a warning about the ListenerSet's
    expect(e.httpRoute?.name).toBe('shop');
    expect(e.warnings).toEqual(['HTTPRoute default/team is attached to ListenerSet default/team-listeners, which explain does not read: a ListenerSet adds listeners to a Gateway, so this route may take the request too']);
    expect(explain(manifests('blog.example.com') as never, { gateway: 'edge', host: 'shop.example.com' }).warnings).toEqual([]);
  });
});
