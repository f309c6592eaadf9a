import { describe, expect, test } from 'vitest';
import { gatewayVirtualHosts, serverHostsFor, virtualHostFor } from '../../lib/mesh/gateway-hosts';
import { hostIntersection } from '../../lib/model/hosts';
import { MeshIndex } from '../../lib/mesh/manifests';
import { gateway, route, virtualService } from '../support/fixtures';

describe('hostIntersection', () => {
  test('keeps the more specific host of each overlapping pair, once', () => {
    expect(hostIntersection(['*.example.com'], ['a.example.com', 'b.example.com', 'other.org'])).toEqual(['a.example.com', 'b.example.com']);
    expect(hostIntersection(['a.example.com', 'b.example.com'], ['*.example.com'])).toEqual(['a.example.com', 'b.example.com']);
    expect(hostIntersection(['*'], ['*', 'shop.example.com'])).toEqual(['*', 'shop.example.com']);
    expect(hostIntersection(['shop.example.com'], ['api.example.com'])).toEqual([]);
  });
});

describe('serverHostsFor', () => {
  test('takes a host written ns/host for namespace ns only, ./host for the Gateway\'s namespace, */host for every namespace', () => {
    const server = { hosts: ['shop/a.example.com', './b.example.com', '*/c.example.com', 'd.example.com'] };
    expect(serverHostsFor(server, 'istio-system', 'shop')).toEqual(['a.example.com', 'c.example.com', 'd.example.com']);
    expect(serverHostsFor(server, 'istio-system', 'istio-system')).toEqual(['b.example.com', 'c.example.com', 'd.example.com']);
  });
});

describe('gatewayVirtualHosts', () => {
  test('appends the routes of every VirtualService that gives a hostname, then moves the catch-all routes last', () => {
    // GIVEN a catch-all VirtualService and an /api one for the same host
    const index = new MeshIndex([
      gateway('gw', ['shop.example.com']),
      virtualService('all', [{ route: [route('shop')] }], { hosts: ['shop.example.com'], gateways: ['gw'] }),
      virtualService('api', [{ match: [{ uri: { prefix: '/api' } }, { uri: { prefix: '/v2' } }], route: [route('api')] }], { hosts: ['shop.example.com'], gateways: ['gw'] }),
    ]);

    // WHEN
    const vhosts = gatewayVirtualHosts(index.gateways.get('default/gw')!, index.virtualServices, 80);

    // THEN one virtual host, the catch-all last
    expect(vhosts.map((v) => v.domain)).toEqual(['shop.example.com']);
    expect(vhosts[0].routes.map((r) => `${r.vs.ref.name}:${r.rule + 1}:${JSON.stringify(r.match)}`))
      .toEqual(['api:1:{"uri":{"prefix":"/api"}}', 'api:1:{"uri":{"prefix":"/v2"}}', 'all:1:undefined']);
    expect(virtualHostFor(vhosts, 'SHOP.example.com')?.domain).toBe('shop.example.com');
    expect(virtualHostFor(vhosts, 'www.example.com')).toBeUndefined();
  });
});
