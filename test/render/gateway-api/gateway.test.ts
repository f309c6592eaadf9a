import { describe, expect, test } from 'vitest';
import { ServerModel } from '../../../lib/model/servers';
import { gatewayApiListeners, gatewayParentRefs, httpsRedirectRules, routeHostnames } from '../../../lib/render/gateway-api/gateway';

const http: ServerModel = { port: 80, name: 'http', protocol: 'HTTP', hosts: ['*'], httpsRedirect: false };
const https: ServerModel = { port: 443, name: 'https', protocol: 'HTTPS', hosts: ['www.example.com'], tls: { mode: 'SIMPLE', credentialName: 'cert' }, httpsRedirect: false };

describe('gatewayApiListeners', () => {
  test('one listener per server; a server for one host gets it as hostname, HTTPS terminates with the Secret', () => {
    expect(gatewayApiListeners([http, https])).toEqual([
      { name: 'http', port: 80, protocol: 'HTTP' },
      { name: 'https', hostname: 'www.example.com', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'cert' }] } },
    ]);
  });

  test('a server for several hosts gets no hostname (the routes\' hostnames narrow it)', () => {
    expect(gatewayApiListeners([{ ...http, hosts: ['a.example.com', 'b.example.com'] }])).toEqual([{ name: 'http', port: 80, protocol: 'HTTP' }]);
  });

  test('servers on one port are listeners of their own host each', () => {
    const a = { ...https, name: 'https-a', hosts: ['a.example.com'] };
    const b = { ...https, name: 'https-b', hosts: ['b.example.com'] };
    expect(gatewayApiListeners([a, b]).map((l) => l.hostname)).toEqual(['a.example.com', 'b.example.com']);
  });

  test('fails if two servers would be listeners of the same port, protocol and hostname', () => {
    const a = { ...http, name: 'http-a', hosts: ['a.example.com', 'b.example.com'] };
    const b = { ...http, name: 'http-b', hosts: ['c.example.com', 'd.example.com'] };
    expect(() => gatewayApiListeners([a, b])).toThrow(
      'servers[1] and servers[0] would be listeners with the same port, protocol and hostname, which a Gateway API Gateway refuses, got port 80 HTTP for hosts c.example.com, d.example.com; give each server on a port a single host of its own');
  });

  test('fails if a server is HTTP2, which no listener protocol expresses', () => {
    expect(() => gatewayApiListeners([{ ...http, protocol: 'HTTP2' }])).toThrow(
      'servers[0].protocol HTTP2 is not supported with the Gateway API v1.5.1 standard channel (a listener\'s protocol is HTTP or HTTPS; there is no HTTP/2-only listener); use GatewayProtocol.HTTP (clients may still upgrade), or use api: TrafficApi.ISTIO');
  });

  test('fails if a server asks for mutual TLS', () => {
    expect(() => gatewayApiListeners([{ ...https, tls: { mode: 'MUTUAL', credentialName: 'cert' } }])).toThrow(
      'servers[0].tls.mode MUTUAL is not supported with the Gateway API v1.5.1 standard channel (client certificate validation on a listener is not in the standard channel); use TlsMode.SIMPLE, or use api: TrafficApi.ISTIO');
  });

  test('fails if a port name is not a DNS-1123 label, as listener names must be', () => {
    expect(() => gatewayApiListeners([{ ...http, name: 'http.public' }])).toThrow(
      'servers[0].portName must be a DNS-1123 label with the Gateway API, as it names a listener, got "http.public"');
  });
});

describe('routes\' parents and hostnames', () => {
  test('without a redirect the route attaches to the whole Gateway; with one, the route to the HTTPS listeners and the redirect to the HTTP ones', () => {
    expect(gatewayParentRefs('gw', [http], false)).toEqual([{ name: 'gw' }]);
    const redirect = { ...http, httpsRedirect: true };
    expect(gatewayParentRefs('gw', [https, redirect], false)).toEqual([{ name: 'gw', sectionName: 'https' }]);
    expect(gatewayParentRefs('gw', [https, redirect], true)).toEqual([{ name: 'gw', sectionName: 'http' }]);
    expect(httpsRedirectRules()).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
  });

  test('hostnames are the entry\'s hosts, and none for "*"', () => {
    expect(routeHostnames(['a.example.com', '*.b.example.com'])).toEqual({ hostnames: ['a.example.com', '*.b.example.com'] });
    expect(routeHostnames(['*'])).toEqual({});
  });
});
