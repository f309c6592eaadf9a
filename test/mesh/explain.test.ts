import { describe, expect, test } from 'vitest';
import { explain, ExplainError, formatExplanation } from '../../lib/mesh/explain';
import { deployment, destinationRule, gateway, route, tutorial, V1, virtualService } from '../support/fixtures';

describe('explain', () => {
  test('picks the VirtualService by host, the exact host before a wildcard', () => {
    const manifests = [
      ...tutorial().filter((m) => m.kind !== 'VirtualService'),
      virtualService('wild', [{ route: [route('website', 'version-1')] }], { hosts: ['*.example.com'] }),
      virtualService('exact', [{ route: [route('website', 'version-2')] }], { hosts: ['shop.example.com'] }),
    ];
    expect(explain(manifests, { host: 'shop.example.com' }).virtualService?.name).toBe('exact');
    expect(explain(manifests, { host: 'www.example.com' }).virtualService?.name).toBe('wild');
    expect(() => explain(manifests, {})).toThrow(ExplainError);
    expect(() => explain(manifests, {})).toThrow('2 VirtualServices are bound to default/website-gateway (default/wild, default/exact): pass --host');
  });

  test('explains in-mesh calls by the Service name in any of its forms', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [{ route: [route('website', 'version-2')] }], { hosts: ['website'], gateways: ['mesh'] })];
    for (const host of ['website', 'website.default', 'website.default.svc.cluster.local']) {
      expect(explain(manifests, { gateway: 'mesh', host }).destinations.map((d) => d.subset), host).toEqual(['version-2']);
    }
  });

  test('reports mirrors apart from the shares, and a request no rule matches', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [
      { match: [{ uri: { prefix: '/shop' } }], route: [route('website', 'version-1')], mirror: { host: 'website', subset: 'version-2' }, mirrorPercentage: { value: 5 } },
    ])];
    const shop = explain(manifests, { path: '/shop/cart' });
    expect(shop.destinations.map((d) => [d.percent, d.subset])).toEqual([[100, 'version-1']]);
    expect(shop.mirrors).toEqual([{ percent: 5, host: 'website.default.svc.cluster.local', subset: 'version-2' }]);
    expect(formatExplanation(shop)).toContain('  mirror 5% -> subset version-2 of website.default.svc.cluster.local (copies, responses ignored)');
    expect(explain(manifests, { path: '/about' }).notes).toEqual(['no rule of VirtualService default/vs matches: the request is answered 404']);
  });

  test('counts pods of DaemonSets as one per node', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'Deployment'), deployment('web-v1', V1, { kind: 'DaemonSet' }), deployment('web-v2', { app: 'website', version: 'website-version-2' })];
    expect(formatExplanation(explain(manifests))).toContain('80% -> subset version-1 of website.default.svc.cluster.local -> DaemonSet default/web-v1 (one pod per node)');
  });

  test('fails on an ambiguous gateway name, and without a gateway when there are several', () => {
    const manifests = [...tutorial(), gateway('website-gateway', ['*'], { ns: 'other' }), destinationRule('x', 'website', [])];
    expect(() => explain(manifests, { gateway: 'website-gateway' })).toThrow('Gateway "website-gateway" is ambiguous (default/website-gateway, other/website-gateway): give it as namespace/name');
    expect(() => explain(manifests)).toThrow('the manifests define 2 Gateways (default/website-gateway, other/website-gateway): pass --gateway NAME or --gateway mesh');
    expect(explain(manifests, { gateway: 'default/website-gateway' }).virtualService?.name).toBe('website-virtual-service');
  });
});
