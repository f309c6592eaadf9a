import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { GatewayProtocol, IstioEntry, TlsMode, TrafficApi, Website } from '../../lib';
import { allSchemaErrors, find, ofKind, synth } from '../support/synth';

const GATEWAY_API = TrafficApi.GATEWAY_API;

function site(c: Chart = Testing.chart()): Website {
  return new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1', deploymentName: 'site-v1' }] });
}

describe('IstioEntry with api: TrafficApi.GATEWAY_API', () => {
  test('default output: a Gateway of class istio on port 80 and an HTTPRoute sending everything to the Service', () => {
    // GIVEN
    const c = Testing.chart();
    const website = site(c);
    // WHEN
    const entry = new IstioEntry(c, 'entry', { website, api: GATEWAY_API });
    // THEN
    const manifests = synth(c);
    const gatewayApi = manifests.filter((m) => m.apiVersion === 'gateway.networking.k8s.io/v1');
    expect(gatewayApi).toMatchSnapshot();
    expect(allSchemaErrors(manifests)).toEqual([]);
    expect(ofKind(manifests, 'VirtualService')).toEqual([]);
    expect(entry.virtualService).toBeUndefined();
    const gateway = find(manifests, 'Gateway', entry.gatewayName);
    expect(gateway.spec).toEqual({ gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] });
    const [route] = ofKind(manifests, 'HTTPRoute');
    expect(route.spec).toEqual({ parentRefs: [{ name: entry.gatewayName }], rules: [{ backendRefs: [{ name: 'website', port: 80 }] }] });
  });

  test('names: gatewayName, routeName and gatewayClassName are used as given', () => {
    const c = Testing.chart();
    new IstioEntry(c, 'entry', { website: site(c), api: GATEWAY_API, gatewayName: 'website-gateway', routeName: 'website', gatewayClassName: 'istio-custom', hosts: ['www.example.com'] });
    const manifests = synth(c);
    expect(find(manifests, 'Gateway', 'website-gateway').spec.gatewayClassName).toBe('istio-custom');
    expect(find(manifests, 'HTTPRoute', 'website').spec).toMatchObject({ parentRefs: [{ name: 'website-gateway' }], hostnames: ['www.example.com'] });
    expect(find(manifests, 'Gateway', 'website-gateway').spec.listeners).toEqual([{ name: 'http', hostname: 'www.example.com', port: 80, protocol: 'HTTP' }]);
  });

  test('tls: an HTTPS listener with the Secret, and plain HTTP answered by a 301 redirect route on the HTTP listener', () => {
    // GIVEN
    const c = Testing.chart();
    // WHEN
    const entry = new IstioEntry(c, 'entry', { website: site(c), api: GATEWAY_API, hosts: ['www.example.com'], tls: { credentialName: 'www-cert' }, gatewayName: 'gw', routeName: 'website' });
    // THEN
    const manifests = synth(c);
    expect(allSchemaErrors(manifests)).toEqual([]);
    expect(entry.httpsOnly).toBe(true);
    expect(find(manifests, 'Gateway', 'gw').spec.listeners).toEqual([
      { name: 'https', hostname: 'www.example.com', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'www-cert' }] } },
      { name: 'http', hostname: 'www.example.com', port: 80, protocol: 'HTTP' },
    ]);
    expect(find(manifests, 'HTTPRoute', 'website').spec.parentRefs).toEqual([{ name: 'gw', sectionName: 'https' }]);
    expect(find(manifests, 'HTTPRoute', 'website-https-redirect').spec).toEqual({
      parentRefs: [{ name: 'gw', sectionName: 'http' }],
      hostnames: ['www.example.com'],
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    });
  });

  test('an HTTPS server on 8443: the redirect from HTTP names port 8443, and the objects validate', () => {
    // GIVEN HTTPS on 8443 and HTTP on 8080 redirecting to it
    const c = Testing.chart();
    const servers = [
      { port: 8443, protocol: GatewayProtocol.HTTPS, tls: { credentialName: 'cert' } },
      { port: 8080, protocol: GatewayProtocol.HTTP, httpsRedirect: true },
    ];
    // WHEN
    new IstioEntry(c, 'entry', { website: site(c), api: GATEWAY_API, hosts: ['www.example.com'], servers, gatewayName: 'gw', routeName: 'website' });
    // THEN
    const manifests = synth(c);
    expect(allSchemaErrors(manifests)).toEqual([]);
    expect(find(manifests, 'HTTPRoute', 'website-https-redirect').spec.rules).toEqual([
      { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', port: 8443, statusCode: 301 } }] },
    ]);
  });

  test('mutual TLS: the HTTPS listener carries Istio\'s option tls-terminate-mode MUTUAL beside its Secret, and validates', () => {
    // GIVEN
    const c = Testing.chart();
    const servers = [{ protocol: GatewayProtocol.HTTPS, tls: { credentialName: 'www-cert', mode: TlsMode.MUTUAL } }];
    // WHEN
    new IstioEntry(c, 'entry', { website: site(c), api: GATEWAY_API, hosts: ['www.example.com'], servers, gatewayName: 'gw' });
    // THEN
    const manifests = synth(c);
    expect(allSchemaErrors(manifests)).toEqual([]);
    expect(find(manifests, 'Gateway', 'gw').spec.listeners).toEqual([{
      name: 'https', hostname: 'www.example.com', port: 443, protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'www-cert' }], options: { 'gateway.istio.io/tls-terminate-mode': 'MUTUAL' } },
    }]);
  });

  test('mesh: a second HTTPRoute whose parent is the Service (GAMMA), without hostnames', () => {
    const c = Testing.chart();
    const entry = new IstioEntry(c, 'entry', { website: site(c), api: GATEWAY_API, hosts: ['www.example.com'], mesh: true, routeName: 'website' });
    const manifests = synth(c);
    expect(allSchemaErrors(manifests)).toEqual([]);
    expect(entry.meshHttpRoute?.name).toBe('website-mesh');
    expect(find(manifests, 'HTTPRoute', 'website-mesh').spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'website', port: 80 }],
      rules: [{ backendRefs: [{ name: 'website', port: 80 }] }],
    });
  });

  test('waypoint: the Service is labelled istio.io/use-waypoint so in-mesh calls go through the waypoint', () => {
    const c = Testing.chart();
    new IstioEntry(c, 'entry', { website: site(c), api: GATEWAY_API, hosts: ['www.example.com'], mesh: true, waypoint: 'waypoint' });
    expect(find(synth(c), 'Service', 'website').metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
  });

  test('without waypoint the Service carries no waypoint label', () => {
    const c = Testing.chart();
    new IstioEntry(c, 'entry', { website: site(c), api: GATEWAY_API, hosts: ['www.example.com'], mesh: true });
    expect(find(synth(c), 'Service', 'website').metadata.labels).toBeUndefined();
  });

  describe('refusals', () => {
    test('fails if selector is given: Istio deploys the gateway of a Gateway API Gateway itself', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), api: GATEWAY_API, selector: { istio: 'ingressgateway' } })).toThrow(
        'selector is not supported with the Gateway API v1.5.1 standard channel (Istio deploys a gateway for each Gateway of its GatewayClass, so no pods are selected); leave selector out and choose the gatewayClassName, or use api: TrafficApi.ISTIO');
    });

    test('fails if virtualServiceName is given, naming routeName instead', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), api: GATEWAY_API, virtualServiceName: 'website' })).toThrow(
        'virtualServiceName is not supported with the Gateway API v1.5.1 standard channel (the routing is an HTTPRoute, not a VirtualService); name it with routeName instead');
    });

    test('fails if a server is HTTP2', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), api: GATEWAY_API, servers: [{ protocol: GatewayProtocol.HTTP2 }] })).toThrow(
        'servers[0].protocol HTTP2 is not supported with the Gateway API v1.5.1 standard channel');
    });

    test('fails if a server uses mutual TLS with a GatewayClass other than istio', () => {
      const servers = [{ protocol: GatewayProtocol.HTTPS, tls: { credentialName: 'cert', mode: TlsMode.MUTUAL } }];
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), api: GATEWAY_API, servers, gatewayClassName: 'example-lb' })).toThrow(
        'servers[0].tls.mode MUTUAL with gatewayClassName "example-lb" is not supported with the Gateway API v1.5.1 standard channel');
    });

    test('fails if gatewayName has 58 characters: Istio would name its Deployment and Service with 64', () => {
      // GIVEN a name of 58 characters
      const gatewayName = `g${'w'.repeat(57)}`;
      // WHEN / THEN
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), api: GATEWAY_API, gatewayName })).toThrow(
        `gatewayName gives the Deployment and Service that Istio creates for the Gateway the name "${gatewayName}-istio", 58 + 6 = 64 characters, more than the 63 a Service name and a label value may have, so the API server refuses them and the gateway is never deployed, got "${gatewayName}"; give a name of at most 57 characters, starting with a letter`);
    });

    test('near miss: a gatewayName of 57 characters synthesizes, and one of 58 with another GatewayClass', () => {
      // GIVEN
      const c = Testing.chart();
      const website = site(c);
      // WHEN
      new IstioEntry(c, 'entry', { website, api: GATEWAY_API, gatewayName: `g${'w'.repeat(56)}`, hosts: ['a.example.com'] });
      new IstioEntry(c, 'other', { website, api: GATEWAY_API, gatewayName: `g${'w'.repeat(57)}`, gatewayClassName: 'other', hosts: ['b.example.com'] });
      // THEN
      const manifests = synth(c);
      expect(allSchemaErrors(manifests)).toEqual([]);
      expect(ofKind(manifests, 'Gateway').map((g) => g.metadata.name.length)).toEqual([57, 58]);
    });

    test('fails if gatewayName starts with a digit: Istio\'s Service "<name>-istio" would not be a DNS-1035 label', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), api: GATEWAY_API, gatewayName: '1gw' })).toThrow(
        'gatewayName gives the Service that Istio creates for the Gateway the name "1gw-istio", which does not start with a letter as a Service name (a DNS-1035 label) must');
    });

    test('fails if the generated Gateway name is too long for Istio\'s deployment, asking for gatewayName', () => {
      // GIVEN a construct path whose generated name cdk8s cuts at 63 characters
      const c = new Chart(Testing.app(), 'shop');
      // WHEN / THEN
      expect(() => new IstioEntry(c, 'entry-for-the-public-website-of-the-shop-and-its-customers', { website: site(c), api: GATEWAY_API })).toThrow(
        /^gatewayName must be given when the generated Gateway name is too long for Istio's deployment: the generated name "entry-for-the-public-website-of-the-shop-and-i-gateway-[0-9a-f]{8}" gives .* 63 \+ 6 = 69 characters, .*; set gatewayName \(at most 57 characters, starting with a letter\), or use shorter construct ids$/);
    });

    test('fails if the entry has 17 hosts: an HTTPRoute holds at most 16 hostnames', () => {
      const hosts = Array.from({ length: 17 }, (_, i) => `h${i}.example.com`);
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), api: GATEWAY_API, hosts })).toThrow(
        'hosts with 17 hosts is not supported with the Gateway API v1.5.1 standard channel (an HTTPRoute holds at most 16 hostnames); cover several hosts with a wildcard (e.g. *.example.com), or use api: TrafficApi.ISTIO');
    });

    test('near miss: 16 hosts, with the redirect route and the mesh route, validate against the v1.5.1 schemas', () => {
      // GIVEN
      const c = Testing.chart();
      const hosts = Array.from({ length: 16 }, (_, i) => `h${i}.example.com`);
      // WHEN
      new IstioEntry(c, 'entry', { website: site(c), api: GATEWAY_API, hosts, tls: { credentialName: 'cert' }, mesh: true, routeName: 'website' });
      // THEN
      const manifests = synth(c);
      expect(allSchemaErrors(manifests)).toEqual([]);
      expect(find(manifests, 'HTTPRoute', 'website-https-redirect').spec.hostnames).toHaveLength(16);
    });

    test('fails if waypoint is set without mesh', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), api: GATEWAY_API, waypoint: 'waypoint' })).toThrow(
        'waypoint routes in-mesh calls, but the entry is not bound to mesh, got waypoint "waypoint"; set mesh: true, or leave waypoint out');
    });

    test('fails if waypoint is not a DNS-1123 label', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), api: GATEWAY_API, mesh: true, hosts: ['a.example.com'], waypoint: 'Way' })).toThrow(
        'waypoint must be a DNS-1123 label');
    });

    test('fails if a Gateway API prop is given with the Istio API', () => {
      for (const [prop, value] of [['gatewayClassName', 'istio'], ['routeName', 'website'], ['waypoint', 'waypoint']] as const) {
        expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), [prop]: value })).toThrow(
          `${prop} applies to the Gateway API only, got "${value}"; set api: TrafficApi.GATEWAY_API, or leave ${prop} out`);
      }
    });

    test('fails if api is not a TrafficApi', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), api: 'gamma' as TrafficApi })).toThrow(
        'api must be one of istio, gateway-api, got "gamma"');
    });
  });
});
