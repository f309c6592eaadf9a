import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkGatewayCertificates, checkGrpcAndTlsRoutes, checkHttpRoutes, checkIstioGatewayDeployments, hostnamesIntersect } from '../../lib/mesh/gateway-api-checks';
import { Manifest, MeshIndex } from '../../lib/mesh/manifests';
import { parseManifestText } from '../../lib/mesh/read';
import { verifyManifests } from '../../lib/mesh/verify';
import { deployment, M, service } from '../support/fixtures';

const GROUP = 'gateway.networking.k8s.io';

function apiGateway(name: string, listeners: any[], ns?: string): M {
  return { apiVersion: `${GROUP}/v1`, kind: 'Gateway', metadata: { name, ...(ns ? { namespace: ns } : {}) }, spec: { gatewayClassName: 'istio', listeners } };
}

function httpRoute(name: string, spec: any, ns?: string): M {
  return { apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute', metadata: { name, ...(ns ? { namespace: ns } : {}) }, spec };
}

function grant(ns: string, from: string, to: any = { group: '', kind: 'Service' }): M {
  return { apiVersion: `${GROUP}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'allow', namespace: ns }, spec: { from: [{ group: GROUP, kind: 'HTTPRoute', namespace: from }], to: [to] } };
}

const LISTENER = { name: 'http', port: 80, protocol: 'HTTP', hostname: 'shop.example.com' };

/** A healthy ingress route: a Gateway, a route attached to it and its backend. */
function shop(route: any = {}, extra: M[] = []): Manifest[] {
  return [
    apiGateway('gw', [LISTENER]),
    service('web'), deployment('web', { app: 'web' }),
    httpRoute('shop', { parentRefs: [{ name: 'gw' }], hostnames: ['shop.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }], ...route }),
    ...extra,
  ];
}

function codes(manifests: Manifest[]): string[] {
  return checkHttpRoutes(new MeshIndex(manifests)).map((f) => `${f.severity} ${f.code} ${f.kind}/${f.name}`);
}

function messages(manifests: Manifest[]): string[] {
  return checkHttpRoutes(new MeshIndex(manifests)).map((f) => f.message);
}

describe('checkHttpRoutes', () => {
  test('finds nothing in a route whose Gateway, listener, hostname and backend exist', () => {
    // GIVEN / WHEN / THEN
    expect(codes(shop())).toEqual([]);
    expect(verifyManifests(shop())).toEqual([]);
  });

  test('fails if a parentRef names a Gateway that is not defined, and not when it is in the namespace it names', () => {
    // GIVEN
    const elsewhere = shop({ parentRefs: [{ name: 'gw', namespace: 'infra' }] });
    // WHEN / THEN
    expect(messages(elsewhere)).toEqual(['parentRefs names Gateway infra/gw, which is not defined (gateway.networking.k8s.io); the route is attached to nothing there: define the Gateway or fix the parentRef']);
    expect(codes(elsewhere)).toEqual(['error gateway-api-unknown-parent HTTPRoute/shop']);
    expect(codes([...elsewhere.slice(1), apiGateway('gw', [{ ...LISTENER, allowedRoutes: { namespaces: { from: 'All' } } }], 'infra')])).toEqual([]);
  });

  test('fails if a parentRef names a listener the Gateway does not have, and not for one it has', () => {
    // GIVEN / WHEN / THEN
    expect(messages(shop({ parentRefs: [{ name: 'gw', sectionName: 'https' }] }))).toEqual([
      'parentRefs names Gateway default/gw (sectionName https), but the Gateway has no such listener (it has http on port 80); fix sectionName or port',
    ]);
    expect(codes(shop({ parentRefs: [{ name: 'gw', port: 443 }] }))).toEqual(['error gateway-api-unknown-parent HTTPRoute/shop']);
    expect(codes(shop({ parentRefs: [{ name: 'gw', sectionName: 'http', port: 80 }] }))).toEqual([]);
  });

  test('fails if a mesh parentRef names a Service that is not defined or a port it lacks, and not for one that exists', () => {
    // GIVEN
    const mesh = (parent: any) => shop({ parentRefs: [parent], hostnames: [] });
    // WHEN / THEN
    expect(messages(mesh({ group: '', kind: 'Service', name: 'api' }))).toEqual([
      'parentRefs names Service default/api, which is not defined; requests to it are not routed by this route: define the Service or fix the parentRef',
    ]);
    expect(codes(mesh({ group: '', kind: 'Service', name: 'web', port: 8080 }))).toEqual(['error gateway-api-unknown-parent HTTPRoute/shop']);
    expect(codes(mesh({ group: '', kind: 'Service', name: 'web', port: 80 }))).toEqual([]);
    // The parentRef group defaults to gateway.networking.k8s.io, which has no Service kind.
    expect(messages(mesh({ kind: 'Service', name: 'web', port: 80 }))).toEqual([
      'parentRefs names kind Service without group "" (so of group gateway.networking.k8s.io, which has no Service kind); a route attached to Service default/web for mesh routing needs group: ""',
    ]);
  });

  test('fails if a backendRef names a Service that is not defined, and not when it is', () => {
    // GIVEN
    const route = { rules: [{ name: 'canary', backendRefs: [{ name: 'web', port: 80 }, { name: 'web-v2', port: 80 }] }] };
    // WHEN / THEN
    expect(messages(shop(route))).toEqual([
      'rule 1 ("canary") sends to Service default/web-v2, which is not defined; the requests sent there fail: define the Service or fix the backendRef',
    ]);
    expect(codes(shop(route))).toEqual(['error gateway-api-unknown-backend HTTPRoute/shop']);
    expect(codes(shop(route, [service('web-v2')]))).toEqual([]);
  });

  test('fails if a RequestMirror filter mirrors to a Service that is not defined, to a port it lacks, or across namespaces without a grant, and not to one that is there', () => {
    // GIVEN a rule that mirrors every request to web-v2
    const mirror = (backendRef: any) => ({ rules: [{ backendRefs: [{ name: 'web', port: 80 }], filters: [{ type: 'RequestMirror', requestMirror: { backendRef, percent: 10 } }] }] });
    // WHEN / THEN
    expect(messages(shop(mirror({ name: 'web-v2', port: 80 })))).toEqual([
      'rule 1 mirrors to Service default/web-v2, which is not defined; the copies mirrored there are lost: define the Service or fix the backendRef',
    ]);
    expect(codes(shop(mirror({ name: 'web-v2', port: 80 })))).toEqual(['error gateway-api-unknown-backend HTTPRoute/shop']);
    expect(codes(shop(mirror({ name: 'web-v2', port: 80 }), [service('web-v2')]))).toEqual([]);
    expect(messages(shop(mirror({ name: 'web-v2', port: 8080 }), [service('web-v2')]))).toEqual([
      'rule 1 mirrors to port 8080 of Service default/web-v2, which has ports 80; fix the port',
    ]);
    expect(codes(shop(mirror({ name: 'web-v2', namespace: 'other', port: 80 }), [service('web-v2', { ns: 'other' })]))).toEqual(['error gateway-api-cross-namespace-backend HTTPRoute/shop']);
  });

  test('leaves alone backendRefs of other kinds than Service', () => {
    // GIVEN / WHEN / THEN
    expect(codes(shop({ rules: [{ backendRefs: [{ group: 'multicluster.x-k8s.io', kind: 'ServiceImport', name: 'remote', port: 80 }] }] }))).toEqual([]);
  });

  test('fails if a Service backendRef has no port or one the Service lacks, and not with a port it has', () => {
    // GIVEN / WHEN / THEN
    expect(messages(shop({ rules: [{ backendRefs: [{ name: 'web' }] }] }))).toEqual([
      'rule 1 sends to Service default/web without a port, which a Service backend requires; add port (one of 80)',
    ]);
    expect(messages(shop({ rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] }))).toEqual([
      'rule 1 sends to port 8080 of Service default/web, which has ports 80; fix the port',
    ]);
    expect(codes(shop({ rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }))).toEqual([]);
  });

  test('fails if a backendRef names a Service in another namespace that no ReferenceGrant allows, and not when one does', () => {
    // GIVEN
    const route = { rules: [{ backendRefs: [{ name: 'api', namespace: 'backend', port: 80 }] }] };
    const api = service('api', { ns: 'backend' });
    // WHEN / THEN
    expect(messages(shop(route, [api]))).toEqual([
      'rule 1 sends to Service backend/api in another namespace, but no ReferenceGrant in namespace backend lets HTTPRoutes of namespace default refer to it; the reference is refused: add a ReferenceGrant (from HTTPRoute in default, to Service)',
    ]);
    expect(codes(shop(route, [api]))).toEqual(['error gateway-api-cross-namespace-backend HTTPRoute/shop']);
    // A grant in the wrong namespace, from another namespace or for another Service does not count.
    expect(codes(shop(route, [api, grant('default', 'default')]))).toHaveLength(1);
    expect(codes(shop(route, [api, grant('backend', 'other')]))).toHaveLength(1);
    expect(codes(shop(route, [api, grant('backend', 'default', { group: '', kind: 'Service', name: 'db' })]))).toHaveLength(1);
    expect(codes(shop(route, [api, grant('backend', 'default')]))).toEqual([]);
    expect(codes(shop(route, [api, grant('backend', 'default', { group: '', kind: 'Service', name: 'api' })]))).toEqual([]);
  });

  test('fails if a route of another namespace attaches to a Gateway whose listeners take their own namespace\'s routes only, and not when they take all', () => {
    // GIVEN a route in namespace shop, its Gateway in infra
    const route = httpRoute('shop', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }, 'shop');
    const base = [service('web', { ns: 'shop' }), deployment('web', { app: 'web' }, { ns: 'shop' }), route];
    // WHEN / THEN
    expect(messages([...base, apiGateway('gw', [LISTENER], 'infra')])).toEqual([
      'parentRefs names Gateway infra/gw, whose listeners do not take the route: listener http takes routes of its own namespace only (allowedRoutes.namespaces.from: Same, the default); the Gateway does not accept the route, so it routes no request there: set from: All (or a Selector that picks the route\'s namespace) on the listener',
    ]);
    expect(codes([...base, apiGateway('gw', [{ ...LISTENER, allowedRoutes: { namespaces: { from: 'Same' } } }], 'infra')])).toEqual(['error gateway-api-route-not-allowed HTTPRoute/shop']);
    expect(codes([...base, apiGateway('gw', [{ ...LISTENER, allowedRoutes: { namespaces: { from: 'All' } } }], 'infra')])).toEqual([]);
  });

  describe('listeners whose allowedRoutes pick namespaces by a selector', () => {
    const route = httpRoute('shop', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }, 'shop');
    const base = [service('web', { ns: 'shop' }), deployment('web', { app: 'web' }, { ns: 'shop' }), route];
    const namespace = (labels: Record<string, string>): M => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels } });
    const gateway = (selector: any) => apiGateway('gw', [{ ...LISTENER, allowedRoutes: { namespaces: { from: 'Selector', selector } } }], 'infra');

    test('fails if the route\'s Namespace does not match the selector, and not when it does', () => {
      // GIVEN a Gateway that takes routes of namespaces labelled shared-gateway-access=true
      const selector = { matchLabels: { 'shared-gateway-access': 'true' } };
      // WHEN / THEN
      expect(messages([...base, namespace({ team: 'shop' }), gateway(selector)])).toEqual([
        'parentRefs names Gateway infra/gw, whose listeners do not take the route: listener http takes routes of the namespaces its allowedRoutes.namespaces.selector picks, and Namespace shop (labels team=shop) is not one of them; the Gateway does not accept the route, so it routes no request there: label the route\'s Namespace to match the selector, or widen the selector',
      ]);
      expect(codes([...base, namespace({ 'shared-gateway-access': 'true' }), gateway(selector)])).toEqual([]);
    });

    test('matches the kubernetes.io/metadata.name label every namespace has, and matchExpressions', () => {
      // GIVEN / WHEN / THEN
      const byName = (values: string[]) => gateway({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values }] });
      expect(codes([...base, namespace({}), byName(['shop', 'blog'])])).toEqual([]);
      expect(codes([...base, namespace({}), byName(['blog'])])).toEqual(['error gateway-api-route-not-allowed HTTPRoute/shop']);
    });

    test('takes the route when its Namespace is not in the manifests, which cannot tell its labels', () => {
      expect(codes([...base, gateway({ matchLabels: { 'shared-gateway-access': 'true' } })])).toEqual([]);
    });
  });

  test('fails if the route attaches only to a listener that does not take HTTPRoutes (a TLS or TCP listener, or allowedRoutes.kinds without it), and not to one that does', () => {
    // GIVEN a Gateway with a TLS passthrough listener and an HTTP listener
    const tls = { name: 'tls', port: 443, protocol: 'TLS', hostname: 'shop.example.com', tls: { mode: 'Passthrough' } };
    const gw = apiGateway('gw', [LISTENER, tls]);
    // WHEN the route names the TLS listener, THEN it is refused
    expect(messages(shop({ parentRefs: [{ name: 'gw', sectionName: 'tls' }] }).map((m) => (m.kind === 'Gateway' ? gw : m)))).toEqual([
      'parentRefs names Gateway default/gw (sectionName tls), whose listeners do not take the route: listener tls speaks TLS, and only HTTP and HTTPS listeners take HTTPRoutes (it takes TLSRoute); the Gateway does not accept the route, so it routes no request there: attach the route to an HTTP or HTTPS listener (sectionName or port)',
    ]);
    // AND when it names the Gateway, the HTTP listener takes it
    expect(codes(shop({}).map((m) => (m.kind === 'Gateway' ? gw : m)))).toEqual([]);
    // AND a listener whose allowedRoutes.kinds leaves HTTPRoute out refuses it
    const grpcOnly = apiGateway('gw', [{ ...LISTENER, allowedRoutes: { kinds: [{ kind: 'GRPCRoute' }] } }]);
    expect(messages(shop().map((m) => (m.kind === 'Gateway' ? grpcOnly : m)))[0]).toContain('listener http takes only GRPCRoute (allowedRoutes.kinds), not HTTPRoute');
    const both = apiGateway('gw', [{ ...LISTENER, allowedRoutes: { kinds: [{ kind: 'GRPCRoute' }, { group: GROUP, kind: 'HTTPRoute' }] } }]);
    expect(codes(shop().map((m) => (m.kind === 'Gateway' ? both : m)))).toEqual([]);
  });

  test('fails if the route\'s hostnames meet no listener hostname of its Gateway (like IST0132), and not when a wildcard meets them', () => {
    // GIVEN
    const other = shop({ hostnames: ['admin.example.com'] });
    // WHEN / THEN
    expect(messages(other)).toEqual([
      'hostnames admin.example.com meet no listener hostname of Gateway default/gw (shop.example.com); the Gateway does not accept the route, so it routes no request there: add a matching hostname to the route or the listener',
    ]);
    expect(codes(other)).toEqual(['warning gateway-api-hostname-mismatch HTTPRoute/shop']);
    expect(codes(shop({ hostnames: ['admin.example.com', 'shop.example.com'] }))).toEqual([]);
    expect(codes([...other, apiGateway('gw', [{ ...LISTENER, hostname: '*.example.com' }])].slice(1))).toEqual([]);
    expect(codes([...other, apiGateway('gw', [{ name: 'http', port: 80, protocol: 'HTTP' }])].slice(1))).toEqual([]);
  });

  test('fails if a rule\'s backendRefs all have weight 0, and not when one has weight (1 by default)', () => {
    // GIVEN / WHEN / THEN
    expect(messages(shop({ rules: [{ backendRefs: [{ name: 'web', port: 80, weight: 0 }] }] }))).toEqual([
      'rule 1\'s backendRefs all have weight 0, so no request this rule takes reaches a backend; give at least one a weight above 0',
    ]);
    expect(codes(shop({ rules: [{ backendRefs: [{ name: 'web', port: 80, weight: 0 }] }] }))).toEqual(['error zero-total-weight HTTPRoute/shop']);
    expect(codes(shop({ rules: [{ backendRefs: [{ name: 'web', port: 80, weight: 0 }, { name: 'web', port: 80 }] }] }))).toEqual([]);
  });
});

describe('hostnamesIntersect', () => {
  test.each([
    [undefined, 'a.example.com', true],
    ['a.example.com', 'a.example.com', true],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['a.example.com', '*.example.com', true],
    ['*.example.com', '*.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['a.example.com', 'b.example.com', false],
    ['*.example.com', 'a.example.org', false],
  ])('listener %s and route %s: %s', (listener, route, expected) => {
    expect(hostnamesIntersect(listener, route)).toBe(expected);
  });
});

describe('verification of Gateway API objects', () => {
  test('fails if a backend Service selects no pods, with the Services check', () => {
    // GIVEN
    const manifests = shop().filter((m) => m.kind !== 'Deployment');
    // WHEN
    const found = verifyManifests(manifests).map((f) => `${f.code} ${f.kind}/${f.name}`);
    // THEN
    expect(found).toEqual(['service-selects-no-pods Service/web']);
  });

  test('fails if an HTTPRoute has the wrong shape, leaving it out of the route checks', () => {
    // GIVEN
    const manifests = shop({ rules: [{ backendRefs: [{ name: 'missing', port: '80' }] }] });
    // WHEN
    const found = verifyManifests(manifests).map((f) => `${f.code} ${f.kind}/${f.name}`);
    // THEN
    expect(found).toEqual(['invalid-field HTTPRoute/shop']);
  });
});

describe('checkGatewayCertificates', () => {
  const https = (tls: unknown) => ({ name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', ...(tls !== undefined ? { tls } : {}) });
  const findings = (manifests: Manifest[]) => checkGatewayCertificates(new MeshIndex(manifests)).map((f) => `${f.severity} ${f.code} ${f.kind}/${f.namespace}/${f.name}: ${f.message}`);

  test('finds nothing for a certificate in the Gateway\'s namespace, or for a TLS passthrough listener', () => {
    expect(findings([apiGateway('gw', [https({ certificateRefs: [{ name: 'shop-cert' }] })], 'infra')])).toEqual([]);
    expect(findings([apiGateway('gw', [{ name: 'tls', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' } }], 'infra')])).toEqual([]);
  });

  test('fails if an HTTPS listener has no certificate, and not when it has one', () => {
    expect(findings([apiGateway('gw', [https(undefined)], 'infra')])).toEqual([
      'error tls-without-credential Gateway/infra/gw: listener https (port 443, HTTPS) terminates TLS without a certificate; set tls.certificateRefs to the Secret holding it',
    ]);
    expect(findings([apiGateway('gw', [https({ mode: 'Terminate', certificateRefs: [] })], 'infra')])).toHaveLength(1);
    expect(findings([apiGateway('gw', [https({ mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'c' }] })], 'infra')])).toEqual([]);
  });

  test('fails if the certificate is a Secret of another namespace that no ReferenceGrant there allows, and not when one does', () => {
    // GIVEN a Gateway in infra whose certificate lives in namespace certs
    const gateway = apiGateway('gw', [https({ certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-cert', namespace: 'certs' }] })], 'infra');
    const grant = (from: any, to: any): M => ({ apiVersion: `${GROUP}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'certs', namespace: 'certs' }, spec: { from: [from], to: [to] } });
    const fromGateways = { group: GROUP, kind: 'Gateway', namespace: 'infra' };
    // WHEN / THEN
    expect(findings([gateway])).toEqual([
      'error gateway-api-cross-namespace-certificate Gateway/infra/gw: listener https takes its certificate from Secret certs/shop-cert in another namespace, but no ReferenceGrant in namespace certs lets Gateways of namespace infra refer to it; the reference is refused (the listener\'s ResolvedRefs condition is False, RefNotPermitted) and the listener serves no HTTPS: add a ReferenceGrant (from Gateway in infra, to Secret), or move the Secret to namespace infra',
    ]);
    // a grant for HTTPRoutes, for another Secret, or in another namespace does not count
    expect(findings([gateway, grant({ group: GROUP, kind: 'HTTPRoute', namespace: 'infra' }, { group: '', kind: 'Secret' })])).toHaveLength(1);
    expect(findings([gateway, grant(fromGateways, { group: '', kind: 'Secret', name: 'other-cert' })])).toHaveLength(1);
    expect(findings([gateway, { ...grant(fromGateways, { group: '', kind: 'Secret' }), metadata: { name: 'certs', namespace: 'infra' } }])).toHaveLength(1);
    // a grant for every Secret, or for this one, does
    expect(findings([gateway, grant(fromGateways, { group: '', kind: 'Secret' })])).toEqual([]);
    expect(findings([gateway, grant(fromGateways, { group: '', kind: 'Secret', name: 'shop-cert' })])).toEqual([]);
    // AND verify reports it
    expect(verifyManifests([gateway]).map((f) => f.code)).toContain('gateway-api-cross-namespace-certificate');
  });
});

describe('checkHttpRoutes: what each rule tells apart', () => {
  const withGateway = (gw: M, route: any = {}, extra: M[] = []) => shop(route, extra).map((m) => (m.kind === 'Gateway' ? gw : m));

  test('an HTTPS listener takes the route as an HTTP one does; TCP and UDP listeners name the routes they take', () => {
    const https = { name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { certificateRefs: [{ name: 'c' }] } };
    expect(codes(withGateway(apiGateway('gw', [https])))).toEqual([]);
    expect(messages(withGateway(apiGateway('gw', [{ name: 'db', port: 5432, protocol: 'TCP' }])))[0]).toContain('listener db speaks TCP, and only HTTP and HTTPS listeners take HTTPRoutes (it takes TCPRoute)');
    expect(messages(withGateway(apiGateway('gw', [{ name: 'dns', port: 53, protocol: 'UDP' }])))[0]).toContain('(it takes UDPRoute)');
    expect(messages(withGateway(apiGateway('gw', [{ name: 'x', port: 99, protocol: 'example.com/quic' }])))[0]).toContain('(it takes no route of the standard kinds)');
  });

  test('allowedRoutes.kinds counts HTTPRoute of the Gateway API group only, and the fix names the kinds', () => {
    const kinds = (k: unknown[]) => apiGateway('gw', [{ ...LISTENER, allowedRoutes: { kinds: k } }]);
    expect(messages(withGateway(kinds([{ group: 'example.com', kind: 'HTTPRoute' }])))).toEqual([
      'parentRefs names Gateway default/gw, whose listeners do not take the route: listener http takes only HTTPRoute of group example.com (allowedRoutes.kinds), not HTTPRoute; the Gateway does not accept the route, so it routes no request there: add HTTPRoute to the listener\'s allowedRoutes.kinds',
    ]);
    expect(codes(withGateway(kinds([{ kind: 'HTTPRoute' }])))).toEqual([]);
  });

  test('a route refused by every listener for different reasons gets each reason once, and the fix of the first kind', () => {
    // GIVEN a Gateway in infra with a TLS listener and an HTTP listener for its own namespace's routes
    const gw = apiGateway('gw', [LISTENER, { name: 'tls', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' } }, { ...LISTENER, name: 'http2', port: 8080 }], 'infra');
    const route = httpRoute('shop', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }, 'shop');
    // WHEN / THEN
    expect(messages([gw, route, service('web', { ns: 'shop' })])).toEqual([
      'parentRefs names Gateway infra/gw, whose listeners do not take the route: listener http takes routes of its own namespace only (allowedRoutes.namespaces.from: Same, the default); listener tls speaks TLS, and only HTTP and HTTPS listeners take HTTPRoutes (it takes TLSRoute); listener http2 takes routes of its own namespace only (allowedRoutes.namespaces.from: Same, the default); the Gateway does not accept the route, so it routes no request there: attach the route to an HTTP or HTTPS listener (sectionName or port)',
    ]);
  });

  test('from: Same written out is not called the default; a selector matters only with from: Selector; a Namespace without labels says so', () => {
    const route = httpRoute('shop', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }, 'shop');
    const base = [route, service('web', { ns: 'shop' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } as M];
    const namespaces = (n: unknown) => apiGateway('gw', [{ ...LISTENER, allowedRoutes: { namespaces: n } }], 'infra');
    expect(messages([...base, namespaces({ from: 'Same' })])[0]).toContain('(allowedRoutes.namespaces.from: Same);');
    expect(codes([...base, namespaces({ from: 'All', selector: { matchLabels: { team: 'blog' } } })])).toEqual([]);
    expect(messages([...base, namespaces({ from: 'Selector', selector: { matchLabels: { team: 'blog' } } })])[0])
      .toContain('and Namespace shop (no labels) is not one of them');
  });

  test('a parentRef\'s port is named when no listener has it', () => {
    expect(messages(shop({ parentRefs: [{ name: 'gw', port: 8080 }] }))).toEqual([
      'parentRefs names Gateway default/gw (port 8080), but the Gateway has no such listener (it has http on port 80); fix sectionName or port',
    ]);
  });

  test('a Service parent of a port it has, among several, is known', () => {
    const mesh = (p: any) => [httpRoute('shop', { parentRefs: [p], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }),
      { ...service('web'), spec: { selector: { app: 'web' }, ports: [{ port: 80, name: 'http' }, { port: 8080, name: 'http-alt' }] } } as M];
    expect(codes(mesh({ group: '', kind: 'Service', name: 'web', port: 8080 }))).toEqual([]);
    expect(codes(mesh({ group: '', kind: 'Service', name: 'web', port: 9090 }))).toEqual(['error gateway-api-unknown-parent HTTPRoute/shop']);
  });

  test('backendRefs of another group than core, or of another kind, are left alone; a port among several is known', () => {
    expect(codes(shop({ rules: [{ backendRefs: [{ group: 'example.com', kind: 'Service', name: 'remote', port: 80 }] }] }))).toEqual([]);
    expect(codes(shop({ rules: [{ backendRefs: [{ group: '', kind: 'ConfigMap', name: 'remote', port: 80 }] }] }))).toEqual([]);
    const twoPorts = { ...service('web'), spec: { selector: { app: 'web' }, ports: [{ port: 80, name: 'http' }, { port: 8080, name: 'http-alt' }] } } as M;
    expect(codes(shop({ rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] }).map((m) => (m.kind === 'Service' ? twoPorts : m)))).toEqual([]);
  });

  test.each([
    ['from another kind than HTTPRoute', { group: GROUP, kind: 'GRPCRoute', namespace: 'default' }, { group: '', kind: 'Service' }],
    ['from another group', { group: 'example.com', kind: 'HTTPRoute', namespace: 'default' }, { group: '', kind: 'Service' }],
    ['from another namespace', { group: GROUP, kind: 'HTTPRoute', namespace: 'blog' }, { group: '', kind: 'Service' }],
    ['to another kind than Service', { group: GROUP, kind: 'HTTPRoute', namespace: 'default' }, { group: '', kind: 'Secret' }],
    ['to another group than core', { group: GROUP, kind: 'HTTPRoute', namespace: 'default' }, { group: 'apps', kind: 'Service' }],
  ])('fails if the only ReferenceGrant for a cross-namespace backend is %s', (_, from, to) => {
    // GIVEN a backend in namespace backend, and a grant there that does not fit
    const route = { rules: [{ backendRefs: [{ name: 'api', namespace: 'backend', port: 80 }] }] };
    const grantThere: M = { apiVersion: `${GROUP}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'backend' }, spec: { from: [from], to: [to] } };
    // WHEN / THEN
    expect(codes(shop(route, [service('api', { ns: 'backend' }), grantThere]))).toEqual(['error gateway-api-cross-namespace-backend HTTPRoute/shop']);
  });

  test('a route on two listeners is accepted when one of them takes its hostname; a Service parent without a port is known', () => {
    const two = apiGateway('gw', [{ ...LISTENER, hostname: 'blog.example.com' }, { ...LISTENER, name: 'http-shop', hostname: 'shop.example.com' }]);
    expect(codes(withGateway(two))).toEqual([]);
    expect(codes([httpRoute('shop', { parentRefs: [{ group: '', kind: 'Service', name: 'web' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }), service('web')])).toEqual([]);
  });

  test('the fix of listeners refused for kinds and for namespaces names the kinds, then the selector', () => {
    const route = httpRoute('shop', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }, 'shop');
    const kindsAndSame = apiGateway('gw', [{ ...LISTENER, allowedRoutes: { kinds: [{ kind: 'GRPCRoute' }], namespaces: { from: 'All' } } }, { ...LISTENER, name: 'same', port: 8080 }], 'infra');
    expect(messages([route, service('web', { ns: 'shop' }), kindsAndSame])[0]).toMatch(/: add HTTPRoute to the listener's allowedRoutes.kinds$/);
    const selectorAndSame = apiGateway('gw', [{ ...LISTENER, allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { a: 'b' } } } } }, { ...LISTENER, name: 'same', port: 8080 }], 'infra');
    const namespace: M = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    expect(messages([route, service('web', { ns: 'shop' }), namespace, selectorAndSame])[0]).toMatch(/: label the route's Namespace to match the selector, or widen the selector$/);
  });

  test('a ReferenceGrant counts when one of its from and one of its to entries fit', () => {
    const route = { rules: [{ backendRefs: [{ name: 'api', namespace: 'backend', port: 80 }] }] };
    const grantThere: M = {
      apiVersion: `${GROUP}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'backend' },
      spec: { from: [{ group: GROUP, kind: 'GRPCRoute', namespace: 'default' }, { group: GROUP, kind: 'HTTPRoute', namespace: 'default' }], to: [{ group: '', kind: 'Secret' }, { group: '', kind: 'Service' }] },
    };
    expect(codes(shop(route, [service('api', { ns: 'backend' }), grantThere]))).toEqual([]);
  });

  test('a rule without backendRefs (a redirect) is not a rule whose weights are all 0', () => {
    expect(codes(shop({ rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] }] }))).toEqual([]);
  });
});

describe('checkIstioGatewayDeployments', () => {
  const found = (gateway: M) => checkIstioGatewayDeployments(new MeshIndex([gateway])).map((f) => `${f.severity} ${f.code} ${f.kind}/${f.namespace}/${f.name}: ${f.message}`);
  const named = (length: number) => `g${'w'.repeat(length - 1)}`;

  test('warns about a Gateway of class istio named with 58 characters: Istio\'s Deployment and Service "<name>-istio" would have 64', () => {
    // GIVEN a hand-written Gateway of class istio with a 58-character name
    const name = named(58);
    // WHEN / THEN
    expect(found(apiGateway(name, [LISTENER]))).toEqual([
      `warning gateway-api-undeployable-name Gateway/default/${name}: its name gives the Deployment and Service that Istio creates for the Gateway the name "${name}-istio", 58 + 6 = 64 characters, more than the 63 a Service name and a label value may have, so the API server refuses them and the gateway is never deployed: rename the Gateway (at most 57 characters, starting with a letter), or name the deployment with the annotation gateway.istio.io/name-override`,
    ]);
    expect(verifyManifests([apiGateway(name, [LISTENER])]).map((f) => f.code)).toContain('gateway-api-undeployable-name');
  });

  test('warns about a Gateway of class istio whose name starts with a digit: a Service name starts with a letter', () => {
    expect(found(apiGateway('1gw', [LISTENER]))).toEqual([
      'warning gateway-api-undeployable-name Gateway/default/1gw: its name gives the Service that Istio creates for the Gateway the name "1gw-istio", which does not start with a letter as a Service name (a DNS-1035 label) must, so the API server refuses it and the gateway is never deployed: rename the Gateway (at most 57 characters, starting with a letter), or name the deployment with the annotation gateway.istio.io/name-override',
    ]);
  });

  test('near misses: 57 characters, another class, a name override, or a gateway Istio does not deploy (a Hostname address)', () => {
    const long = apiGateway(named(58), [LISTENER]);
    expect(found(apiGateway(named(57), [LISTENER]))).toEqual([]);
    expect(found({ ...long, spec: { ...long.spec, gatewayClassName: 'other' } })).toEqual([]);
    expect(found({ ...long, metadata: { ...long.metadata, annotations: { 'gateway.istio.io/name-override': 'edge' } } })).toEqual([]);
    expect(found({ ...long, spec: { ...long.spec, addresses: [{ type: 'Hostname', value: 'edge.infra.svc.cluster.local' }] } })).toEqual([]);
    // one IP address: Istio still deploys it, with that IP
    expect(found({ ...long, spec: { ...long.spec, addresses: [{ type: 'IPAddress', value: '10.0.0.1' }] } })).toHaveLength(1);
  });
});

describe('checkGatewayCertificates: what each rule tells apart', () => {
  const listener = (l: any) => checkGatewayCertificates(new MeshIndex([apiGateway('gw', [l], 'infra')])).map((f) => f.code);
  const grantIn = (from: any, to: any): M => ({ apiVersion: `${GROUP}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'certs' }, spec: { from: [from], to: [to] } });
  const crossNamespace = { name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'c', namespace: 'certs' }] } };

  test('a TLS listener that terminates needs a certificate too; HTTPS options may stand in for one', () => {
    expect(listener({ name: 'tls', port: 443, protocol: 'TLS', tls: { mode: 'Terminate' } })).toEqual(['tls-without-credential']);
    // tls.mode is Terminate when not written (the API server's default)
    expect(listener({ name: 'tls', port: 443, protocol: 'TLS', tls: {} })).toEqual(['tls-without-credential']);
    expect(listener({ name: 'tls', port: 443, protocol: 'TLS', tls: { certificateRefs: [{ name: 'c' }] } })).toEqual([]);
    expect(listener({ name: 'tls', port: 443, protocol: 'TLS', tls: { mode: 'Terminate', certificateRefs: [{ name: 'c' }] } })).toEqual([]);
    expect(listener({ name: 'https', port: 443, protocol: 'HTTPS', tls: { options: { 'example.com/cert-source': 'vault' } } })).toEqual([]);
  });

  test('a ReferenceGrant for certificates counts when one of its from and one of its to entries fit', () => {
    const grant: M = {
      apiVersion: `${GROUP}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'certs' },
      spec: { from: [{ group: GROUP, kind: 'HTTPRoute', namespace: 'infra' }, { group: GROUP, kind: 'Gateway', namespace: 'infra' }], to: [{ group: '', kind: 'Service' }, { group: '', kind: 'Secret', name: 'c' }] },
    };
    expect(checkGatewayCertificates(new MeshIndex([apiGateway('gw', [crossNamespace], 'infra'), grant]))).toEqual([]);
  });

  test('certificate references of another kind or group than a core Secret are left alone', () => {
    expect(listener({ ...crossNamespace, tls: { certificateRefs: [{ kind: 'ConfigMap', name: 'c', namespace: 'certs' }] } })).toEqual([]);
    expect(listener({ ...crossNamespace, tls: { certificateRefs: [{ group: 'example.com', kind: 'Secret', name: 'c', namespace: 'certs' }] } })).toEqual([]);
  });

  test.each([
    ['from another group', { group: 'example.com', kind: 'Gateway', namespace: 'infra' }, { group: '', kind: 'Secret' }],
    ['from another namespace', { group: GROUP, kind: 'Gateway', namespace: 'shop' }, { group: '', kind: 'Secret' }],
    ['to another group than core', { group: GROUP, kind: 'Gateway', namespace: 'infra' }, { group: 'apps', kind: 'Secret' }],
    ['to another kind', { group: GROUP, kind: 'Gateway', namespace: 'infra' }, { group: '', kind: 'ConfigMap' }],
  ])('fails if the only ReferenceGrant for a certificate of another namespace is %s', (_, from, to) => {
    const findings = checkGatewayCertificates(new MeshIndex([apiGateway('gw', [crossNamespace], 'infra'), grantIn(from, to)]));
    expect(findings.map((f) => f.code)).toEqual(['gateway-api-cross-namespace-certificate']);
  });
});

describe('checkGrpcAndTlsRoutes', () => {
  // A Gateway with an HTTPS listener for gRPC and a TLS passthrough listener, as in the Gateway API's guides.
  const HTTPS = { name: 'grpc', port: 50051, protocol: 'HTTPS', hostname: 'grpc.example.com', tls: { certificateRefs: [{ kind: 'Secret', group: '', name: 'grpc-cert' }] } };
  const PASSTHROUGH = { name: 'tls', port: 443, protocol: 'TLS', hostname: '*.example.com', tls: { mode: 'Passthrough' } };
  const route = (kind: string) => (name: string, spec: any, ns?: string): M => ({ apiVersion: `${GROUP}/v1`, kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, spec });
  const grpcRoute = route('GRPCRoute');
  const tlsRoute = route('TLSRoute');
  const users = (spec: any = {}, ns?: string) => grpcRoute('users', { parentRefs: [{ name: 'edge', ...(ns ? { namespace: 'default' } : {}) }], hostnames: ['grpc.example.com'], rules: [{ backendRefs: [{ name: 'users', port: 50051 }] }], ...spec }, ns);
  const vault = (spec: any = {}, ns?: string) => tlsRoute('vault', { parentRefs: [{ name: 'edge', ...(ns ? { namespace: 'default' } : {}) }], hostnames: ['vault.example.com'], rules: [{ backendRefs: [{ name: 'vault', port: 8200 }] }], ...spec }, ns);
  const services = (ns?: string) => [service('users', { ns, ports: [{ name: 'grpc', port: 50051 }] }), service('vault', { ns, ports: [{ name: 'tls', port: 8200 }] })];
  /** The routes, their Services and Gateway edge with the given listeners. */
  const edge = (routes: M[], extra: M[] = [], listeners: unknown[] = [HTTPS, PASSTHROUGH]): Manifest[] => [apiGateway('edge', listeners), ...services(), ...routes, ...extra];
  const found = (manifests: Manifest[]) => checkGrpcAndTlsRoutes(new MeshIndex(manifests)).map((f) => `${f.severity} ${f.code} ${f.kind}/${f.name}: ${f.message}`);
  const foundCodes = (manifests: Manifest[]) => checkGrpcAndTlsRoutes(new MeshIndex(manifests)).map((f) => `${f.code} ${f.kind}/${f.name}`);

  test('finds nothing in a GRPCRoute and a TLSRoute whose Gateway, listeners, hostnames and backends exist', () => {
    // GIVEN the routes on the whole Gateway: each is taken by the listener of its kind
    const manifests = edge([users(), vault()], [deployment('users', { app: 'users' }), deployment('vault', { app: 'vault' })]);
    // WHEN / THEN
    expect(found(manifests)).toEqual([]);
    expect(verifyManifests(manifests)).toEqual([]);
  });

  test('leaves HTTPRoutes to checkHttpRoutes, and GRPCRoutes and TLSRoutes out of it', () => {
    // GIVEN a GRPCRoute and a TLSRoute to a Gateway that is not defined
    const manifests = [...services(), users(), vault()];
    // WHEN / THEN
    expect(codes(manifests)).toEqual([]);
    expect(foundCodes(manifests)).toEqual(['gateway-api-unknown-parent GRPCRoute/users', 'gateway-api-unknown-parent TLSRoute/vault']);
  });

  test('fails if a GRPCRoute or TLSRoute names a Gateway or listener that is not defined, and not one that is', () => {
    // GIVEN / WHEN / THEN
    expect(found(edge([users({ parentRefs: [{ name: 'edge', namespace: 'infra' }] })]))).toEqual([
      'error gateway-api-unknown-parent GRPCRoute/users: parentRefs names Gateway infra/edge, which is not defined (gateway.networking.k8s.io); the route is attached to nothing there: define the Gateway or fix the parentRef',
    ]);
    expect(foundCodes(edge([vault({ parentRefs: [{ name: 'edge', sectionName: 'tls-2' }] })]))).toEqual(['gateway-api-unknown-parent TLSRoute/vault']);
    expect(foundCodes(edge([vault({ parentRefs: [{ name: 'edge', sectionName: 'tls', port: 443 }] })]))).toEqual([]);
  });

  test('fails if a GRPCRoute attaches only to a TLS listener, and not to the HTTPS one', () => {
    // GIVEN / WHEN / THEN
    expect(found(edge([users({ parentRefs: [{ name: 'edge', sectionName: 'tls' }], hostnames: [] })]))).toEqual([
      'error gateway-api-route-not-allowed GRPCRoute/users: parentRefs names Gateway default/edge (sectionName tls), whose listeners do not take the route: listener tls speaks TLS, and only HTTP and HTTPS listeners take GRPCRoutes (it takes TLSRoute); the Gateway does not accept the route, so it routes no request there: attach the route to an HTTP or HTTPS listener (sectionName or port)',
    ]);
    expect(found(edge([users({ parentRefs: [{ name: 'edge', sectionName: 'grpc' }] })]))).toEqual([]);
    // an HTTP listener takes GRPCRoutes as an HTTPS one does
    expect(found(edge([users({ hostnames: [] })], [], [{ name: 'h2c', port: 8080, protocol: 'HTTP' }]))).toEqual([]);
  });

  test('fails if a TLSRoute attaches only to an HTTPS or HTTP listener, and not to a TLS one, passthrough or terminated (as Istio takes both)', () => {
    // GIVEN / WHEN / THEN
    expect(found(edge([vault({ parentRefs: [{ name: 'edge', sectionName: 'grpc' }] })]))).toEqual([
      'error gateway-api-route-not-allowed TLSRoute/vault: parentRefs names Gateway default/edge (sectionName grpc), whose listeners do not take the route: listener grpc speaks HTTPS, and only TLS listeners take TLSRoutes (it takes HTTPRoute, GRPCRoute); the Gateway does not accept the route, so it routes no connection there: attach the route to a TLS listener (sectionName or port)',
    ]);
    expect(found(edge([vault()], [], [{ name: 'http', port: 80, protocol: 'HTTP' }]))[0]).toContain('listener http speaks HTTP, and only TLS listeners take TLSRoutes (it takes HTTPRoute, GRPCRoute)');
    expect(found(edge([vault({ parentRefs: [{ name: 'edge', sectionName: 'tls' }] })]))).toEqual([]);
    const terminate = { ...PASSTHROUGH, tls: { mode: 'Terminate', certificateRefs: [{ name: 'cert' }] } };
    expect(found(edge([vault()], [], [terminate]))).toEqual([]);
  });

  test('an HTTPRoute on a terminated TLS listener is told that the listener takes TLSRoutes and TCPRoutes', () => {
    // GIVEN a TLS listener whose mode is Terminate (the default when tls is given)
    const gw = apiGateway('gw', [{ name: 'tls', port: 443, protocol: 'TLS', tls: { certificateRefs: [{ name: 'cert' }] } }]);
    // WHEN / THEN
    expect(messages(shop({ hostnames: [] }).map((m) => (m.kind === 'Gateway' ? gw : m)))[0]).toContain('listener tls speaks TLS, and only HTTP and HTTPS listeners take HTTPRoutes (it takes TLSRoute, TCPRoute)');
  });

  test('fails if a listener\'s allowedRoutes.kinds leaves out the route\'s kind, and not when it lists it', () => {
    // GIVEN listeners that take HTTPRoutes only, and TCPRoutes only
    const httpOnly = { ...HTTPS, allowedRoutes: { kinds: [{ kind: 'HTTPRoute' }] } };
    const tcpOnly = { ...PASSTHROUGH, allowedRoutes: { kinds: [{ group: GROUP, kind: 'TCPRoute' }] } };
    // WHEN / THEN
    expect(found(edge([users()], [], [httpOnly]))).toEqual([
      'error gateway-api-route-not-allowed GRPCRoute/users: parentRefs names Gateway default/edge, whose listeners do not take the route: listener grpc takes only HTTPRoute (allowedRoutes.kinds), not GRPCRoute; the Gateway does not accept the route, so it routes no request there: add GRPCRoute to the listener\'s allowedRoutes.kinds',
    ]);
    expect(found(edge([vault()], [], [tcpOnly]))[0]).toContain('listener tls takes only TCPRoute (allowedRoutes.kinds), not TLSRoute; the Gateway does not accept the route, so it routes no connection there: add TLSRoute to the listener\'s allowedRoutes.kinds');
    expect(found(edge([users()], [], [{ ...httpOnly, allowedRoutes: { kinds: [{ kind: 'HTTPRoute' }, { kind: 'GRPCRoute' }] } }]))).toEqual([]);
    expect(found(edge([vault()], [], [{ ...tcpOnly, allowedRoutes: { kinds: [{ kind: 'TLSRoute' }] } }]))).toEqual([]);
    // and an HTTPRoute is refused by a listener that takes GRPCRoutes only, as before
    const grpcOnly = apiGateway('gw', [{ ...LISTENER, allowedRoutes: { kinds: [{ kind: 'GRPCRoute' }] } }]);
    expect(messages(shop().map((m) => (m.kind === 'Gateway' ? grpcOnly : m)))[0]).toContain('not HTTPRoute');
  });

  test('fails if a route of another namespace attaches to listeners that take their own namespace\'s routes only, and not when they take all', () => {
    // GIVEN the routes in namespace apps, the Gateway in default
    const routes = [users({}, 'apps'), vault({}, 'apps'), ...services('apps')];
    // WHEN / THEN
    expect(found([apiGateway('edge', [HTTPS, PASSTHROUGH]), ...routes])).toEqual([
      'error gateway-api-route-not-allowed GRPCRoute/users: parentRefs names Gateway default/edge, whose listeners do not take the route: listener grpc takes routes of its own namespace only (allowedRoutes.namespaces.from: Same, the default); listener tls speaks TLS, and only HTTP and HTTPS listeners take GRPCRoutes (it takes TLSRoute); the Gateway does not accept the route, so it routes no request there: attach the route to an HTTP or HTTPS listener (sectionName or port)',
      'error gateway-api-route-not-allowed TLSRoute/vault: parentRefs names Gateway default/edge, whose listeners do not take the route: listener grpc speaks HTTPS, and only TLS listeners take TLSRoutes (it takes HTTPRoute, GRPCRoute); listener tls takes routes of its own namespace only (allowedRoutes.namespaces.from: Same, the default); the Gateway does not accept the route, so it routes no connection there: attach the route to a TLS listener (sectionName or port)',
    ]);
    const all = { allowedRoutes: { namespaces: { from: 'All' } } };
    expect(found([apiGateway('edge', [{ ...HTTPS, ...all }, { ...PASSTHROUGH, ...all }]), ...routes])).toEqual([]);
  });

  test('fails if a mesh parentRef names a Service that is not defined or a port it lacks, and not one it has', () => {
    // GIVEN GAMMA routes attached to Services
    const parent = (name: string, port?: number) => ({ parentRefs: [{ group: '', kind: 'Service', name, ...(port ? { port } : {}) }], hostnames: [] });
    // WHEN / THEN
    expect(found(edge([users(parent('users-api'))]))).toEqual([
      'error gateway-api-unknown-parent GRPCRoute/users: parentRefs names Service default/users-api, which is not defined; requests to it are not routed by this route: define the Service or fix the parentRef',
    ]);
    expect(found(edge([vault(parent('vault-api'))]))[0]).toContain('parentRefs names Service default/vault-api, which is not defined; connections to it are not routed by this route');
    expect(foundCodes(edge([vault(parent('vault', 8300))]))).toEqual(['gateway-api-unknown-parent TLSRoute/vault']);
    expect(found(edge([users(parent('users', 50051)), vault(parent('vault', 8200))]))).toEqual([]);
  });

  test('fails if a backendRef names a Service that is not defined, has no port or one the Service lacks, and not one it has', () => {
    // GIVEN / WHEN / THEN
    expect(found(edge([users({ rules: [{ name: 'login', backendRefs: [{ name: 'users-v2', port: 50051 }] }] })]))).toEqual([
      'error gateway-api-unknown-backend GRPCRoute/users: rule 1 ("login") sends to Service default/users-v2, which is not defined; the requests sent there fail: define the Service or fix the backendRef',
    ]);
    expect(found(edge([vault({ rules: [{ backendRefs: [{ name: 'vault-v2', port: 8200 }] }] })]))).toEqual([
      'error gateway-api-unknown-backend TLSRoute/vault: rule 1 sends to Service default/vault-v2, which is not defined; the connections sent there fail: define the Service or fix the backendRef',
    ]);
    expect(found(edge([users({ rules: [{ backendRefs: [{ name: 'users' }] }] })]))).toEqual([
      'error gateway-api-backend-port GRPCRoute/users: rule 1 sends to Service default/users without a port, which a Service backend requires; add port (one of 50051)',
    ]);
    expect(found(edge([vault({ rules: [{ backendRefs: [{ name: 'vault', port: 443 }] }] })]))).toEqual([
      'error gateway-api-backend-port TLSRoute/vault: rule 1 sends to port 443 of Service default/vault, which has ports 8200; fix the port',
    ]);
    expect(found(edge([users({ rules: [{ backendRefs: [{ name: 'users', port: 50051 }, { name: 'vault', port: 8200 }] }] })]))).toEqual([]);
  });

  test('fails if a GRPCRoute\'s RequestMirror filter copies to a Service that is not defined, and not to one that is', () => {
    // GIVEN
    const mirror = (name: string) => ({ rules: [{ backendRefs: [{ name: 'users', port: 50051 }], filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name, port: 50051 } } }] }] });
    // WHEN / THEN
    expect(found(edge([users(mirror('users-shadow'))]))).toEqual([
      // istiod's convertGRPCRoute returns the mirror's error as a hard one: the whole route goes
      'error gateway-api-unknown-backend GRPCRoute/users: rule 1 mirrors to Service default/users-shadow, which is not defined; istiod cannot resolve the mirror and drops the whole GRPCRoute, so none of its calls are served: define the Service or fix the backendRef',
    ]);
    expect(found(edge([users(mirror('users'))]))).toEqual([]);
    // a TLSRoute has no filters: one written anyway routes nothing
    expect(found(edge([vault({ rules: [{ ...mirror('vault-shadow').rules[0], backendRefs: [{ name: 'vault', port: 8200 }] }] })]))).toEqual([]);
  });

  test.each([
    ['GRPCRoute', users],
    ['TLSRoute', vault],
  ])('fails if a %s sends to a Service of another namespace that a ReferenceGrant opens to HTTPRoutes only, and not when it names the route\'s kind', (kind, make) => {
    // GIVEN a backend in namespace backend
    const port = kind === 'GRPCRoute' ? 50051 : 8200;
    const routeThere = make({ rules: [{ backendRefs: [{ name: 'api', namespace: 'backend', port }] }] });
    const api = service('api', { ns: 'backend', ports: [{ name: 'grpc', port }] });
    const grantFrom = (...kinds: string[]): M => ({
      apiVersion: `${GROUP}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'backend' },
      spec: { from: kinds.map((k) => ({ group: GROUP, kind: k, namespace: 'default' })), to: [{ group: '', kind: 'Service' }] },
    });
    // WHEN / THEN
    expect(found(edge([routeThere], [api, grantFrom('HTTPRoute')]))).toEqual([
      `error gateway-api-cross-namespace-backend ${kind}/${routeThere.metadata.name}: rule 1 sends to Service backend/api in another namespace, but no ReferenceGrant in namespace backend lets ${kind}s of namespace default refer to it; the reference is refused: add a ReferenceGrant (from ${kind} in default, to Service)`,
    ]);
    expect(found(edge([routeThere], [api, grantFrom(kind === 'GRPCRoute' ? 'TLSRoute' : 'GRPCRoute')]))).toHaveLength(1);
    expect(found(edge([routeThere], [api, grantFrom(kind)]))).toEqual([]);
    expect(found(edge([routeThere], [api, grantFrom('HTTPRoute', kind)]))).toEqual([]);
  });

  test('fails if a route\'s hostnames (a TLSRoute\'s SNI names) meet no hostname of the listeners that take it, and not when a wildcard meets them', () => {
    // GIVEN / WHEN / THEN
    expect(found(edge([vault({ hostnames: ['vault.example.org'] })]))).toEqual([
      'warning gateway-api-hostname-mismatch TLSRoute/vault: hostnames vault.example.org meet no listener hostname of Gateway default/edge (*.example.com); the Gateway does not accept the route, so it routes no connection there: add a matching hostname to the route or the listener',
    ]);
    expect(found(edge([vault({ hostnames: ['*.example.com'] })]))).toEqual([]);
    expect(foundCodes(edge([users({ hostnames: ['users.example.org'] })]))).toEqual(['gateway-api-hostname-mismatch GRPCRoute/users']);
    // a GRPCRoute's hostname that only the TLS listener (which does not take GRPCRoutes) has does not count
    expect(found(edge([users({ hostnames: ['users.example.com'] })]))).toEqual([
      'warning gateway-api-hostname-mismatch GRPCRoute/users: hostnames users.example.com meet no listener hostname of Gateway default/edge (grpc.example.com); the Gateway does not accept the route, so it routes no request there: add a matching hostname to the route or the listener',
    ]);
    expect(found(edge([users({ hostnames: ['users.example.com', 'grpc.example.com'] })]))).toEqual([]);
  });

  test('fails if a rule\'s backendRefs all have weight 0, and not when one has weight', () => {
    // GIVEN / WHEN / THEN
    expect(found(edge([vault({ rules: [{ backendRefs: [{ name: 'vault', port: 8200, weight: 0 }] }] })]))).toEqual([
      'error zero-total-weight TLSRoute/vault: rule 1\'s backendRefs all have weight 0, so no connection this rule takes reaches a backend; give at least one a weight above 0',
    ]);
    expect(found(edge([users({ rules: [{ backendRefs: [{ name: 'users', port: 50051, weight: 0 }] }] })]))).toEqual([
      'error zero-total-weight GRPCRoute/users: rule 1\'s backendRefs all have weight 0, so no request this rule takes reaches a backend; give at least one a weight above 0',
    ]);
    expect(found(edge([users({ rules: [{ backendRefs: [{ name: 'users', port: 50051, weight: 0 }, { name: 'vault', port: 8200, weight: 1 }] }] })]))).toEqual([]);
  });

  test('verify checks a GRPCRoute and a TLSRoute written as in the Gateway API\'s guides', () => {
    // GIVEN the fixture, its routes in the form of the gRPC and TLS routing guides, and its copy with three mistakes
    const read = (file: string) => parseManifestText(readFileSync(join(__dirname, '..', 'fixtures', file), 'utf8'), file);
    // WHEN / THEN
    expect(verifyManifests(read('grpc-tls-routes.yaml'))).toEqual([]);
    expect(verifyManifests(read('grpc-tls-mistakes.yaml')).map((f) => `${f.code} ${f.kind}/${f.name}`)).toEqual([
      'gateway-api-cross-namespace-backend GRPCRoute/users',
      'gateway-api-unknown-backend GRPCRoute/users',
      'gateway-api-route-not-allowed TLSRoute/vault',
    ]);
  });

  test('fails if istiod cannot convert a GRPCRoute: a filter it does not take on a gRPC rule', () => {
    const withFilter = (type: string) => users({ rules: [{ backendRefs: [{ name: 'users', port: 50051 }], filters: [{ type, ...(type === 'ExtensionRef' ? { extensionRef: { group: 'example.com', kind: 'Auth', name: 'a' } } : {}) }] }] });
    expect(foundCodes(edge([withFilter('ExtensionRef')]))).toEqual(['gateway-api-route-dropped GRPCRoute/users']);
    expect(found(edge([withFilter('ExtensionRef')]))[0]).toContain('rule 1 has a ExtensionRef filter, which istiod does not convert there (it takes RequestHeaderModifier, ResponseHeaderModifier, RequestMirror on a GRPCRoute rule)');
    expect(foundCodes(edge([withFilter('ResponseHeaderModifier')]))).toEqual([]);
  });
});

describe('routes istiod cannot convert (gateway-api-route-dropped)', () => {
  // Each is a hard error of pilot's config/kube/gateway/conversion.go: the whole route is dropped.
  const dropped = (manifests: Manifest[]) => checkHttpRoutes(new MeshIndex(manifests)).filter((f) => f.code === 'gateway-api-route-dropped').map((f) => f.message);

  test('a rule filter istiod does not support drops every rule of the route, and names the filter', () => {
    // GIVEN a second rule with an ExtensionRef filter (istiod converts none)
    const manifests = shop({ rules: [{ backendRefs: [{ name: 'web', port: 80 }] }, { matches: [{ path: { type: 'PathPrefix', value: '/auth' } }], filters: [{ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Auth', name: 'a' } }], backendRefs: [{ name: 'web', port: 80 }] }] });
    // THEN one finding on the route says the first rule is lost too
    expect(codes(manifests)).toEqual(['error gateway-api-route-dropped HTTPRoute/shop']);
    expect(dropped(manifests)).toEqual(['istiod cannot convert this HTTPRoute, so it drops all of its rules and serves none of its requests: rule 2 has a ExtensionRef filter, which istiod does not convert there (it takes RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, RequestMirror, URLRewrite, CORS on a HTTPRoute rule)']);
  });

  test('near miss: every filter istiod converts on an HTTPRoute rule', () => {
    for (const filter of [
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-a', value: 'b\tc' }] } },
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'x-a', value: 'é' }] } },
      { type: 'URLRewrite', urlRewrite: { hostname: 'web' } },
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'web', port: 80 } } },
      { type: 'CORS', cors: { allowOrigins: ['https://a.example.com'] } },
    ]) {
      expect(codes(shop({ rules: [{ filters: [filter], backendRefs: [{ name: 'web', port: 80 }] }] })), filter.type).toEqual([]);
    }
  });

  test('a backendRef filter other than a header modifier drops the route; a header modifier there is fine', () => {
    const on = (filter: unknown) => shop({ rules: [{ backendRefs: [{ name: 'web', port: 80, filters: [filter] }] }] });
    expect(dropped(on({ type: 'RequestMirror', requestMirror: { backendRef: { name: 'web', port: 80 } } }))).toEqual([
      'istiod cannot convert this HTTPRoute, so it drops all of its rules and serves none of its requests: rule 1\'s backendRef 1 has a RequestMirror filter, which istiod does not convert there (it takes RequestHeaderModifier, ResponseHeaderModifier on a HTTPRoute backendRef)',
    ]);
    expect(codes(on({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-canary', value: 'yes' }] } }))).toEqual([]);
  });

  test('a header value with a control character drops the route', () => {
    const manifests = shop({ rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-a', value: 'one\ntwo' }] } }], backendRefs: [{ name: 'web', port: 80 }] }] });
    expect(dropped(manifests)).toEqual(['istiod cannot convert this HTTPRoute, so it drops all of its rules and serves none of its requests: rule 1\'s RequestHeaderModifier gives header "x-a" a value with a control character']);
  });

  test('a backendRef that names a Service by its host name drops the route (not reported as a missing Service too)', () => {
    const manifests = shop({ rules: [{ backendRefs: [{ name: 'web.default.svc.cluster.local', port: 80 }] }] });
    expect(codes(manifests)).toEqual(['error gateway-api-route-dropped HTTPRoute/shop']);
    expect(dropped(manifests)).toEqual(['istiod cannot convert this HTTPRoute, so it drops all of its rules and serves none of its requests: rule 1\'s backendRef 1 names Service "web.default.svc.cluster.local" by a host name, where a backendRef takes the Service\'s name ("web", with namespace default if it is another namespace\'s)']);
  });

  test('a Hostname backend with a namespace drops the route', () => {
    const manifests = shop({ rules: [{ backendRefs: [{ group: 'networking.istio.io', kind: 'Hostname', name: 'api.example.com', namespace: 'other', port: 443 }] }] });
    expect(dropped(manifests)).toEqual(['istiod cannot convert this HTTPRoute, so it drops all of its rules and serves none of its requests: rule 1\'s backendRef 1 is a Hostname backend with a namespace, which istiod refuses (a Hostname is not namespaced)']);
  });

  test('near miss: backends of a rule whose weights are all 0 are not resolved (the rule answers 500)', () => {
    const manifests = shop({ rules: [{ backendRefs: [{ name: 'web.default.svc.cluster.local', port: 80, weight: 0 }] }] });
    expect(dropped(manifests)).toEqual([]);
  });
});
