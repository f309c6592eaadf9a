import { describe, expect, test } from 'vitest';
import { isHttpOrSniffed, Manifest, MeshIndex, resolveExportTo, selectorMatches, servicePortProtocol, visibleIn } from '../../lib/mesh/manifests';
import { deployment, service, tutorial, V1 } from '../support/fixtures';

describe('MeshIndex', () => {
  test('resolves hosts written in Istio objects as pilot does: only a name without a dot is completed', () => {
    const index = new MeshIndex([service('website'), service('api', { ns: 'shop' })]);
    expect(index.resolveHost('website', 'default')).toBe('website.default.svc.cluster.local');
    expect(index.resolveHost('website', 'shop')).toBe('website.shop.svc.cluster.local');
    expect(index.resolveHost('api.shop', 'default')).toBe('api.shop');
    expect(index.resolveHost('api.shop.svc', 'default')).toBe('api.shop.svc');
    expect(index.resolveHost('example.com', 'default')).toBe('example.com');
    expect(index.resolveHost('api.shop.svc.cluster.local', 'x')).toBe('api.shop.svc.cluster.local');
    expect(index.resolveHost('*.example.com', 'default')).toBe('*.example.com');
    expect(index.resolveHost('*', 'default')).toBe('*');
    expect(index.resolveHost('10.0.0.1', 'default')).toBe('10.0.0.1');
    expect(index.resolveHost('::1', 'default')).toBe('::1');
  });

  test('resolves the host of a request from a pod as its DNS search path does: name.ns and name.ns.svc name the Service', () => {
    const index = new MeshIndex([service('website'), service('api', { ns: 'shop' })]);
    expect(index.requestHost('api.shop', 'default')).toBe('api.shop.svc.cluster.local');
    expect(index.requestHost('api.shop.svc', 'default')).toBe('api.shop.svc.cluster.local');
    expect(index.requestHost('website', 'default')).toBe('website.default.svc.cluster.local');
    expect(index.requestHost('other.shop', 'default')).toBe('other.shop');
    expect(index.expansionOf('api.shop')?.ref).toEqual({ kind: 'Service', namespace: 'shop', name: 'api' });
    expect(index.expansionOf('api')).toBeUndefined();
  });

  test('indexes Services by fully qualified host, in their namespace (default when absent)', () => {
    const index = new MeshIndex([service('website'), service('api', { ns: 'shop' })]);
    expect([...index.services.keys()]).toEqual(['website.default.svc.cluster.local', 'api.shop.svc.cluster.local']);
  });

  test('finds workloads by labels within a namespace, every selector required', () => {
    const index = new MeshIndex(tutorial());
    expect(index.workloadsMatching('default', { app: 'website' }).map((w) => w.ref.name)).toEqual(['web-v1', 'web-v2']);
    expect(index.workloadsMatching('default', { app: 'website' }, { version: 'website-version-1' }).map((w) => w.ref.name)).toEqual(['web-v1']);
    expect(index.workloadsMatching('other', { app: 'website' })).toEqual([]);
    expect(index.workloadsMatching('default', {})).toEqual([]);
    expect(index.workloadsMatching('default', { app: 'website', version: 'none' })).toEqual([]);
  });

  test('finds the workloads behind a destination: the Service selector and the subset labels', () => {
    const index = new MeshIndex(tutorial());
    const host = 'website.default.svc.cluster.local';
    expect(index.workloadsBehind(host, 'version-2').map((w) => w.ref.name)).toEqual(['web-v2']);
    expect(index.workloadsBehind(host, undefined).map((w) => w.ref.name)).toEqual(['web-v1', 'web-v2']);
    expect(index.workloadsBehind(host, 'version-9')).toEqual([]);
    expect(index.workloadsBehind('other.default.svc.cluster.local', undefined)).toEqual([]);
  });

  test('counts replicas: 1 by default, none for a DaemonSet', () => {
    const index = new MeshIndex([deployment('a', V1, {}), deployment('b', V1, { kind: 'DaemonSet' })]);
    expect(index.workloads.map((w) => [w.ref.name, w.replicas])).toEqual([['a', 1], ['b', undefined]]);
  });

  test('ignores kinds it does not use, and values that are not objects', () => {
    const index = new MeshIndex([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'y' } },
      null as never,
      'text' as never,
    ]);
    expect(index.services.size + index.workloads.length + index.virtualServices.length + index.destinationRules.length).toBe(0);
  });

  test('a VirtualService without gateways is bound to the mesh; gateway names get the namespace', () => {
    const index = new MeshIndex([
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a', namespace: 'shop' }, spec: { hosts: ['x'] } },
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'b' }, spec: { hosts: ['x'], gateways: ['gw', 'istio-system/public', 'mesh'] } },
    ]);
    expect(index.virtualServices.map((v) => v.gateways)).toEqual([['mesh'], ['default/gw', 'istio-system/public', 'mesh']]);
  });

  test('reads the legacy gateway name gw.ns.svc.cluster.local as ns/gw, as pilot\'s resolveGatewayName does', () => {
    // GIVEN a VirtualService of namespace shop naming a Gateway of istio-system in the legacy form, and one as ./local
    const index = new MeshIndex([
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a', namespace: 'shop' }, spec: { hosts: ['x'], gateways: ['public.istio-system.svc.cluster.local', './local'] } },
    ]);

    // WHEN / THEN
    expect(index.virtualServices[0].gateways).toEqual(['istio-system/public', 'shop/local']);
  });
});

describe('MeshIndex: visibility, ServiceEntries, Gateway API', () => {
  test('reads exportTo: none or "*" is every namespace, "." the object\'s own; the Service annotation is a comma-separated list', () => {
    const annotated = (exportTo: string) => ({ ...service('api', { ns: 'shop' }), metadata: { name: 'api', namespace: 'shop', annotations: { 'networking.istio.io/exportTo': exportTo } } });
    expect(new MeshIndex([service('api', { ns: 'shop' })]).services.get('api.shop.svc.cluster.local')?.exportTo).toEqual(['*']);
    expect(new MeshIndex([annotated('., blog,,')]).services.get('api.shop.svc.cluster.local')?.exportTo).toEqual(['shop', 'blog']);
    expect(new MeshIndex([annotated('blog,*')]).services.get('api.shop.svc.cluster.local')?.exportTo).toEqual(['*']);
    const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a', namespace: 'shop' }, spec: { hosts: ['x'], exportTo: ['.', 'shop', 'blog'] } };
    expect(new MeshIndex([vs]).virtualServices[0].exportTo).toEqual(['shop', 'blog']);
    expect(resolveExportTo([], 'x')).toEqual(['*']);
    expect(visibleIn(['a'], 'a') && visibleIn(['*'], 'b') && !visibleIn(['a'], 'b')).toBe(true);
  });

  test('finds ServiceEntries by exact host and by wildcard, only those visible in the namespaces given', () => {
    const entry = (name: string, hosts: string[], exportTo?: string[]) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace: 'egress' }, spec: { hosts, ...(exportTo ? { exportTo } : {}), ports: [{ number: 443 }] } });
    const index = new MeshIndex([entry('exact', ['api.example.com'], ['.']), entry('wild', ['*.example.com'])]);
    expect(index.serviceEntriesFor('api.example.com').map((se) => se.ref.name)).toEqual(['exact', 'wild']);
    expect(index.serviceEntriesFor('api.example.com', ['default']).map((se) => se.ref.name)).toEqual(['wild']);
    expect(index.serviceEntriesFor('a.b.example.com').map((se) => se.ref.name)).toEqual(['wild']);
    expect(index.serviceEntriesFor('example.com')).toEqual([]);
    expect(index.serviceEntries[0].ports).toEqual([443]);
  });

  test('notices Gateway API Gateways and routes: hostnames, and the Services a route is attached to or sends to', () => {
    const index = new MeshIndex([
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { listeners: [{ hostname: 'a.example.com' }, { hostname: 'b.example.com' }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'any' }, spec: { listeners: [{ hostname: 'a.example.com' }, { port: 80 }] } },
      {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'shop' },
        spec: { hostnames: ['a.example.com'], parentRefs: [{ name: 'gw' }, { kind: 'Service', group: '', name: 'api' }], rules: [{ backendRefs: [{ name: 'api-v1' }, { name: 'x', namespace: 'other' }, { kind: 'ServiceImport', name: 'y' }, { group: 'example.com', name: 'z' }] }] },
      },
      { apiVersion: 'networking.istio.io/v1', kind: 'HTTPRoute', metadata: { name: 'not-gateway-api' } },
    ]);
    expect(index.gatewayApi.map((o) => [o.ref.kind, o.ref.name, o.hostnames, o.services])).toEqual([
      ['Gateway', 'gw', ['a.example.com', 'b.example.com'], []],
      ['Gateway', 'any', [], []],
      ['HTTPRoute', 'r', ['a.example.com'], ['api.shop.svc.cluster.local', 'api-v1.shop.svc.cluster.local', 'x.other.svc.cluster.local']],
    ]);
  });

  test('indexes Gateway API Gateways by namespace and name, HTTPRoutes in order and ReferenceGrants, leaving out items that are not objects', () => {
    // GIVEN
    const manifests = [
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'second', namespace: 'shop' }, spec: { parentRefs: [{ name: 'gw' }, null], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }, 'x'] } },
      { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'HTTPRoute', metadata: { name: 'first' }, spec: { hostnames: ['a.example.com'] } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'shop' }, spec: { listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'other' }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }], to: [{ group: '', kind: 'Service' }] } },
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'istio-gw', namespace: 'shop' } },
    ];
    // WHEN
    const index = new MeshIndex(manifests);
    // THEN
    expect([...index.apiGateways.keys()]).toEqual(['shop/gw']);
    expect(index.apiGateways.get('shop/gw')!.listeners).toEqual([{ name: 'http', port: 80, protocol: 'HTTP' }]);
    expect(index.httpRoutes.map((r) => [r.ref.namespace, r.ref.name, r.parentRefs, r.hostnames, r.rules])).toEqual([
      ['shop', 'second', [{ name: 'gw' }], [], [{ backendRefs: [{ name: 'web', port: 80 }] }]],
      ['default', 'first', [], ['a.example.com'], []],
    ]);
    expect(index.referenceGrants.map((g) => [g.ref.namespace, g.from, g.to])).toEqual([
      ['other', [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }], [{ group: '', kind: 'Service' }]],
    ]);
    expect([...index.gateways.keys()]).toEqual(['shop/istio-gw']);
  });

  test('lists GRPCRoutes and TLSRoutes of the versions verify reads apart from HTTPRoutes, which explain follows', () => {
    // GIVEN routes of each kind, and of versions the Gateway API v1.5.1 CRDs do not serve
    const r = (kind: string, version: string, name: string): Manifest => ({
      apiVersion: `gateway.networking.k8s.io/${version}`, kind, metadata: { name },
      spec: { parentRefs: [{ name: 'gw' }], hostnames: ['a.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }, null] },
    });
    // WHEN
    const index = new MeshIndex([r('GRPCRoute', 'v1', 'grpc'), r('HTTPRoute', 'v1', 'http'), r('TLSRoute', 'v1', 'tls'), r('TLSRoute', 'v1alpha2', 'tls-alpha2'),
      r('TLSRoute', 'v1alpha3', 'tls-alpha3'), r('GRPCRoute', 'v1alpha2', 'grpc-alpha2'), r('TLSRoute', 'v1beta1', 'tls-beta1'), r('TCPRoute', 'v1alpha2', 'tcp')]);
    // THEN
    expect(index.httpRoutes.map((h) => h.ref.name)).toEqual(['http']);
    expect(index.otherRoutes.map((o) => [o.ref.kind, o.ref.name, o.parentRefs, o.hostnames, o.rules])).toEqual([
      ['GRPCRoute', 'grpc', [{ name: 'gw' }], ['a.example.com'], [{ backendRefs: [{ name: 'web', port: 80 }] }]],
      ['TLSRoute', 'tls', [{ name: 'gw' }], ['a.example.com'], [{ backendRefs: [{ name: 'web', port: 80 }] }]],
      ['TLSRoute', 'tls-alpha2', [{ name: 'gw' }], ['a.example.com'], [{ backendRefs: [{ name: 'web', port: 80 }] }]],
      ['TLSRoute', 'tls-alpha3', [{ name: 'gw' }], ['a.example.com'], [{ backendRefs: [{ name: 'web', port: 80 }] }]],
    ]);
    // AND the list of Gateway API objects explain and diagram warn about keeps every route
    expect(index.gatewayApi.map((o) => o.ref.name)).toEqual(['grpc', 'http', 'tls', 'tls-alpha2', 'tls-alpha3', 'grpc-alpha2', 'tls-beta1', 'tcp']);
  });

  test('finds workloads by labels in any namespace', () => {
    const index = new MeshIndex([deployment('gw', { istio: 'ingressgateway' }, { ns: 'istio-system' }), deployment('web', V1)]);
    expect(index.workloadsMatchingAnywhere({ istio: 'ingressgateway' }).map((w) => w.ref.namespace)).toEqual(['istio-system']);
    expect(index.workloadsMatchingAnywhere({})).toEqual([]);
  });
});

describe('selectorMatches', () => {
  test('matchLabels and every matchExpressions operator', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'api' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Bogus' }] }, labels)).toBe(false);
  });
});

describe('servicePortProtocol', () => {
  test('reads the protocol as Istio does: appProtocol first, then the name\'s prefix, ignoring case', () => {
    expect(servicePortProtocol({ name: 'tcp-reviews', port: 9080 })).toBe('TCP');
    expect(servicePortProtocol({ name: 'HTTP-web', port: 80 })).toBe('HTTP');
    expect(servicePortProtocol({ name: 'tcp', port: 80, appProtocol: 'http' })).toBe('HTTP');
    expect(servicePortProtocol({ name: 'http', port: 80, appProtocol: 'kubernetes.io/wss' })).toBe('HTTPS');
    expect(servicePortProtocol({ name: 'grpc-web-x', port: 80 })).toBe('GRPC-WEB');
    expect(servicePortProtocol({ name: 'http', port: 53, protocol: 'UDP' })).toBe('UDP');
  });

  test('takes a port whose name does not tell as sniffed, but for the ports Istio never sniffs', () => {
    expect(servicePortProtocol({ name: 'web', port: 8080 })).toBe('UNSUPPORTED');
    expect(servicePortProtocol({ port: 3306 })).toBe('TCP');
    expect(isHttpOrSniffed('UNSUPPORTED')).toBe(true);
    expect(isHttpOrSniffed('GRPC')).toBe(true);
    expect(isHttpOrSniffed('TCP')).toBe(false);
    expect(isHttpOrSniffed('HTTPS')).toBe(false);
  });
});
