import { describe, expect, test } from 'vitest';
import { ServerModel } from '../../../lib/model/servers';
import { checkGatewayApiServers, gatewayApiListeners, gatewayParentRefs, httpsRedirectRules, routeHostnames } from '../../../lib/render/gateway-api/gateway';

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

  test('mutual TLS: the listener terminates with the Secret and Istio\'s option tls-terminate-mode MUTUAL', () => {
    expect(gatewayApiListeners([{ ...https, tls: { mode: 'MUTUAL', credentialName: 'cert' } }])).toEqual([{
      name: 'https', hostname: 'www.example.com', port: 443, protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'cert' }], options: { 'gateway.istio.io/tls-terminate-mode': 'MUTUAL' } },
    }]);
  });

  test('fails if a server asks for mutual TLS with another class than istio, which may ignore Istio\'s option', () => {
    // GIVEN / WHEN / THEN
    expect(() => gatewayApiListeners([{ ...https, tls: { mode: 'MUTUAL', credentialName: 'cert' } }], 'example-lb')).toThrow(
      'servers[0].tls.mode MUTUAL with gatewayClassName "example-lb" is not supported with the Gateway API v1.5.1 standard channel (the listener asks for client certificates through Istio\'s option gateway.istio.io/tls-terminate-mode, and an implementation other than Istio\'s class "istio" may ignore it and accept clients without one); use gatewayClassName "istio", or use api: TrafficApi.ISTIO');
    // near miss: SIMPLE with that class
    expect(gatewayApiListeners([https], 'example-lb')[0].tls?.options).toBeUndefined();
  });

  test('fails if there are more servers than a Gateway holds listeners (64)', () => {
    // GIVEN 64 and 65 servers, each on a port of its own
    const servers = Array.from({ length: 65 }, (_, i) => ({ ...http, name: `http-${i}`, port: 8000 + i }));
    // WHEN / THEN
    expect(gatewayApiListeners(servers.slice(0, 64))).toHaveLength(64);
    expect(() => gatewayApiListeners(servers)).toThrow(
      'servers with 65 servers is not supported with the Gateway API v1.5.1 standard channel (a Gateway holds at most 64 listeners, one per server); give a server several hosts instead of one each, or use api: TrafficApi.ISTIO');
  });

  test('fails if, with a redirect, a route would name more listeners than an HTTPRoute holds parentRefs (32)', () => {
    // GIVEN 33 HTTPS servers and 33 redirecting ones, each for a host of its own
    const secure = Array.from({ length: 33 }, (_, i) => ({ ...https, name: `https-${i}`, hosts: [`h${i}.example.com`] }));
    const redirecting = Array.from({ length: 33 }, (_, i) => ({ ...http, name: `http-${i}`, hosts: [`h${i}.example.com`], httpsRedirect: true }));
    // WHEN / THEN
    expect(() => checkGatewayApiServers([...secure, ...redirecting.slice(0, 1)])).toThrow(
      'servers with 33 servers that do not redirect is not supported with the Gateway API v1.5.1 standard channel (beside a redirecting server, the HTTPRoute attaches to each of their listeners, and an HTTPRoute holds at most 32 parentRefs)');
    expect(() => checkGatewayApiServers([...secure.slice(0, 1), ...redirecting])).toThrow(
      'servers with 33 redirecting servers is not supported with the Gateway API v1.5.1 standard channel (the redirect HTTPRoute attaches to each of their listeners, and an HTTPRoute holds at most 32 parentRefs)');
    // near misses: 32 of each, and 33 without a redirect (the route then names the whole Gateway)
    expect(() => checkGatewayApiServers([...secure.slice(0, 32), ...redirecting.slice(0, 32)])).not.toThrow();
    expect(() => checkGatewayApiServers(secure)).not.toThrow();
    expect(gatewayParentRefs('gw', secure, false)).toEqual([{ name: 'gw' }]);
  });

  test('fails if a port name is not a DNS-1123 label, as listener names must be', () => {
    expect(() => gatewayApiListeners([{ ...http, name: 'http.public' }])).toThrow(
      'servers[0].portName must be a DNS-1123 label with the Gateway API, as it names a listener, got "http.public"');
  });
});

describe('httpsRedirectRules', () => {
  const redirect: ServerModel = { ...http, httpsRedirect: true };
  const to = (port?: number) => [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', ...(port !== undefined ? { port } : {}), statusCode: 301 } }] }];

  test('a redirect to HTTPS on 443 names no port: the scheme\'s well-known port is 443', () => {
    expect(httpsRedirectRules([https, redirect], ['www.example.com'])).toEqual(to());
  });

  test('a redirect to an HTTPS listener on another port names that port, or it would go to 443', () => {
    // GIVEN HTTPS on 8443
    const servers = [{ ...https, port: 8443 }, redirect];
    // WHEN / THEN
    expect(httpsRedirectRules(servers, ['www.example.com'])).toEqual(to(8443));
  });

  test('with HTTPS on several ports, 443 when it serves every redirected host, else the lowest port that does', () => {
    const on = (port: number, hosts: string[]) => ({ ...https, name: `https-${port}`, port, hosts });
    expect(httpsRedirectRules([on(8443, ['www.example.com']), on(443, ['*.example.com']), redirect], ['www.example.com'])).toEqual(to());
    expect(httpsRedirectRules([on(9443, ['www.example.com']), on(8443, ['*.example.com']), redirect], ['www.example.com'])).toEqual(to(8443));
  });

  test('only the hosts the redirecting listeners take count: an HTTPS port need not serve the others', () => {
    // GIVEN a.example.com redirected to HTTPS on 8443, b.example.com served on plain HTTP
    const servers = [{ ...https, port: 8443, hosts: ['a.example.com'] }, { ...redirect, hosts: ['a.example.com'] }, { ...http, name: 'http-b', port: 8080, hosts: ['b.example.com'] }];
    // WHEN / THEN
    expect(httpsRedirectRules(servers, ['a.example.com', 'b.example.com'])).toEqual(to(8443));
  });

  test('without an HTTPS server the redirect names no port, as before', () => {
    expect(httpsRedirectRules([redirect], ['*'])).toEqual(to());
  });

  test('fails if no single HTTPS port serves every redirected host', () => {
    // GIVEN a.example.com over HTTPS on 443 and b.example.com on 8443, both redirected from port 80
    const servers = [
      { ...https, name: 'https-a', hosts: ['a.example.com'] },
      { ...https, name: 'https-b', port: 8443, hosts: ['b.example.com'] },
      redirect,
    ];
    // WHEN / THEN
    expect(() => httpsRedirectRules(servers, ['a.example.com', 'b.example.com'])).toThrow(
      'servers[2].httpsRedirect sends every redirected host to one HTTPS port with the Gateway API, but no HTTPS port serves all of a.example.com, b.example.com, got HTTPS servers on 443 (a.example.com), 8443 (b.example.com); serve every redirected host on one HTTPS port, or narrow the redirecting server\'s hosts');
  });
});

describe('routes\' parents and hostnames', () => {
  test('without a redirect the route attaches to the whole Gateway; with one, the route to the HTTPS listeners and the redirect to the HTTP ones', () => {
    expect(gatewayParentRefs('gw', [http], false)).toEqual([{ name: 'gw' }]);
    const redirect = { ...http, httpsRedirect: true };
    expect(gatewayParentRefs('gw', [https, redirect], false)).toEqual([{ name: 'gw', sectionName: 'https' }]);
    expect(gatewayParentRefs('gw', [https, redirect], true)).toEqual([{ name: 'gw', sectionName: 'http' }]);
  });

  test('hostnames are the entry\'s hosts, and none for "*"', () => {
    expect(routeHostnames(['a.example.com', '*.b.example.com'])).toEqual({ hostnames: ['a.example.com', '*.b.example.com'] });
    expect(routeHostnames(['*'])).toEqual({});
  });

  test('fails if there are more hosts than an HTTPRoute holds hostnames (16)', () => {
    // GIVEN 16 and 17 hosts
    const hosts = Array.from({ length: 17 }, (_, i) => `h${i}.example.com`);
    // WHEN / THEN
    expect(routeHostnames(hosts.slice(0, 16)).hostnames).toHaveLength(16);
    expect(() => routeHostnames(hosts)).toThrow(
      'hosts with 17 hosts is not supported with the Gateway API v1.5.1 standard channel (an HTTPRoute holds at most 16 hostnames); cover several hosts with a wildcard (e.g. *.example.com), or use api: TrafficApi.ISTIO');
  });
});
