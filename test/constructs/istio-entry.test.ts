import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { GatewayProtocol, IstioEntry, TlsMode, Website } from '../../lib';
import { allSchemaErrors, find, ofKind, synth } from '../support/synth';

function site(c: Chart = Testing.chart(), id = 'site'): Website {
  return new Website(c, id, { serviceName: id === 'site' ? 'website' : id, versions: [{ name: 'v1', image: 'img:1', deploymentName: `${id}-v1` }] });
}

describe('IstioEntry', () => {
  test('default output: a Gateway for any host on port 80 and a VirtualService sending everything to the Service', () => {
    // GIVEN
    const c = Testing.chart();
    const website = site(c);
    // WHEN
    new IstioEntry(c, 'entry', { website });
    // THEN
    const manifests = synth(c);
    const istio = manifests.filter((m) => m.apiVersion.startsWith('networking.istio.io'));
    expect(istio).toMatchSnapshot();
    expect(allSchemaErrors(manifests)).toEqual([]);
    const [gateway] = ofKind(manifests, 'Gateway');
    const [virtualService] = ofKind(manifests, 'VirtualService');
    expect(gateway.apiVersion).toBe('networking.istio.io/v1');
    expect(gateway.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    });
    expect(virtualService.apiVersion).toBe('networking.istio.io/v1');
    expect(virtualService.spec).toEqual({
      hosts: ['*'],
      gateways: [gateway.metadata.name],
      http: [{ route: [{ destination: { host: 'website' } }] }],
    });
  });

  test('names default to the construct path and can be set', () => {
    const c = Testing.chart();
    const website = site(c);
    // Distinct hosts: two Gateways for overlapping hosts on one port conflict (IST0145).
    new IstioEntry(c, 'entry', { website, hosts: ['shop.example.com'] });
    new IstioEntry(c, 'named', { website, hosts: ['www.example.com'], gatewayName: 'website-gateway', virtualServiceName: 'website-virtual-service' });
    const manifests = synth(c);
    expect(ofKind(manifests, 'Gateway').map((g) => g.metadata.name)).toEqual([expect.stringMatching(/^test-entry-gateway-c8[0-9a-f]{6}$/), 'website-gateway']);
    expect(ofKind(manifests, 'VirtualService').map((g) => g.metadata.name)).toEqual([expect.stringMatching(/^test-entry-c8[0-9a-f]{6}$/), 'website-virtual-service']);
    expect(find(manifests, 'VirtualService', 'website-virtual-service').spec.gateways).toEqual(['website-gateway']);
  });

  test('hosts, selector and servers are passed to the Gateway and the VirtualService', () => {
    // GIVEN
    const c = Testing.chart();
    // WHEN
    new IstioEntry(c, 'entry', {
      website: site(c),
      hosts: ['www.example.com', 'shop.example.com'],
      selector: { istio: 'public-gateway' },
      servers: [{ port: 8080, protocol: GatewayProtocol.HTTP2, portName: 'http2-alt', hosts: ['*.example.com'] }],
      gatewayName: 'gw',
      virtualServiceName: 'vs',
    });
    // THEN
    const manifests = synth(c);
    expect(find(manifests, 'Gateway', 'gw').spec).toEqual({
      selector: { istio: 'public-gateway' },
      servers: [{ port: { number: 8080, name: 'http2-alt', protocol: 'HTTP2' }, hosts: ['*.example.com'] }],
    });
    expect(find(manifests, 'VirtualService', 'vs').spec.hosts).toEqual(['www.example.com', 'shop.example.com']);
    expect(allSchemaErrors(manifests)).toEqual([]);
  });

  test('with mesh, the VirtualService is also bound to mesh and the Service name is one of its hosts', () => {
    // GIVEN
    const c = Testing.chart();
    // WHEN
    const entry = new IstioEntry(c, 'entry', { website: site(c), hosts: ['www.example.com'], mesh: true, gatewayName: 'gw', virtualServiceName: 'vs' });
    // THEN
    const vs = find(synth(c), 'VirtualService', 'vs');
    expect(vs.spec.gateways).toEqual(['gw', 'mesh']);
    expect(vs.spec.hosts).toEqual(['www.example.com', 'website']);
    expect(entry.gateways).toEqual(['gw', 'mesh']);
    expect(entry.hosts).toEqual(['www.example.com']);
  });

  test('with mesh, a Service name already among the hosts is not added twice', () => {
    const c = Testing.chart();
    new IstioEntry(c, 'entry', { website: site(c), hosts: ['website'], mesh: true, virtualServiceName: 'vs', servers: [{ hosts: ['*'] }] });
    expect(find(synth(c), 'VirtualService', 'vs').spec.hosts).toEqual(['website']);
  });

  test('hosts returns a copy', () => {
    const entry = new IstioEntry(Testing.chart(), 'entry', { website: site(), hosts: ['a.example.com'] });
    entry.hosts.push('b.example.com');
    expect(entry.hosts).toEqual(['a.example.com']);
  });

  test('tls serves HTTPS on 443 with the Secret named, and redirects HTTP on 80', () => {
    const c = Testing.chart();
    new IstioEntry(c, 'entry', { website: site(c), hosts: ['www.example.com'], tls: { credentialName: 'www-example-com-cert' }, gatewayName: 'gw' });
    const manifests = synth(c);
    expect(find(manifests, 'Gateway', 'gw').spec.servers).toEqual([
      { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['www.example.com'], tls: { mode: 'SIMPLE', credentialName: 'www-example-com-cert' } },
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['www.example.com'], tls: { httpsRedirect: true } },
    ]);
    expect(allSchemaErrors(manifests)).toEqual([]);
  });

  test('tls without the redirect, and explicit HTTPS servers with mutual TLS', () => {
    const c = Testing.chart();
    new IstioEntry(c, 'entry', { website: site(c), hosts: ['a.example.com'], tls: { credentialName: 'cert', redirectHttp: false }, gatewayName: 'gw' });
    new IstioEntry(c, 'entry2', {
      website: site(c, 'site2'), hosts: ['b.example.com'], gatewayName: 'gw2',
      servers: [{ protocol: GatewayProtocol.HTTPS, port: 8443, tls: { credentialName: 'b-cert', mode: TlsMode.MUTUAL } }],
    });
    const manifests = synth(c);
    expect(find(manifests, 'Gateway', 'gw').spec.servers).toHaveLength(1);
    expect(find(manifests, 'Gateway', 'gw2').spec.servers[0]).toEqual({ port: { number: 8443, name: 'https', protocol: 'HTTPS' }, hosts: ['b.example.com'], tls: { mode: 'MUTUAL', credentialName: 'b-cert' } });
    expect(allSchemaErrors(manifests)).toEqual([]);
  });

  test('httpsOnly: an HTTPS server and HTTP servers that only redirect', () => {
    const https = { port: 443, protocol: GatewayProtocol.HTTPS, tls: { credentialName: 'cert' } };
    expect(new IstioEntry(Testing.chart(), 'entry', { website: site(), tls: { credentialName: 'cert' } }).httpsOnly).toBe(true);
    expect(new IstioEntry(Testing.chart(), 'entry', { website: site(), servers: [https, { port: 80, portName: 'http', httpsRedirect: true }] }).httpsOnly).toBe(true);
    expect(new IstioEntry(Testing.chart(), 'entry', { website: site(), servers: [https, { port: 80, portName: 'http' }] }).httpsOnly).toBe(false);
    expect(new IstioEntry(Testing.chart(), 'entry', { website: site() }).httpsOnly).toBe(false);
  });

  describe('bad input', () => {
    test('fails if an HTTPS server has no credential', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), servers: [{ protocol: GatewayProtocol.HTTPS }] }))
        .toThrow('servers[0] uses HTTPS and needs tls.credentialName: the Secret with the certificate and key, in the ingress gateway\'s namespace (never the key itself)');
    });

    test('fails on tls on a plain server, a redirect on an HTTPS server, a bad Secret name, or tls with servers', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), servers: [{ tls: { credentialName: 'x' } }] })).toThrow('servers[0].tls needs protocol HTTPS, got HTTP');
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), servers: [{ protocol: GatewayProtocol.HTTPS, tls: { credentialName: 'x' }, httpsRedirect: true }] }))
        .toThrow('servers[0].httpsRedirect is for HTTP servers; this one is HTTPS already');
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), tls: { credentialName: 'My_Cert' } })).toThrow('servers[0].tls.credentialName must be a DNS-1123 subdomain');
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), tls: { credentialName: 'x' }, servers: [{}] })).toThrow('tls and servers cannot both be given');
    });

    test('fails if the host list is empty', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), hosts: [] })).toThrow('hosts must list at least one host, got []');
    });

    test('fails if a "*" host is combined with mesh', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), mesh: true }))
        .toThrow('hosts must not contain "*" when mesh is true');
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), hosts: ['www.example.com', '*'], mesh: true }))
        .toThrow('hosts must not contain "*" when mesh is true');
    });

    test('fails if two hosts overlap, which Istio\'s webhook rejects as duplicates', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), hosts: ['*.example.com', 'www.example.com'] }))
        .toThrow('hosts must not overlap: "*.example.com" and "www.example.com" are duplicates for Istio (one covers the other), got ["*.example.com","www.example.com"]; Istio\'s webhook rejects such a VirtualService: keep the wider host only');
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), hosts: ['*', 'www.example.com'] })).toThrow('hosts must not overlap');
    });

    test('fails if the generated Gateway name would have a dot, which Istio\'s webhook rejects', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry.v1', { website: site() }))
        .toThrow('gatewayName must be given when the generated Gateway name is not a DNS-1123 label (Istio rejects dots in Gateway names), got generated name "test-entry.v1-gateway-c85414ca"; set gatewayName, or use construct ids without dots');
      expect(new IstioEntry(Testing.chart(), 'entry.v1', { website: site(), gatewayName: 'website-gateway' }).gatewayName).toBe('website-gateway');
    });

    test('fails if a host is not a valid host', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), hosts: ['WWW.example.com'] }))
        .toThrow('hosts[0] must be "*", a lower-case DNS name or "*." followed by one, got "WWW.example.com"');
    });

    test('fails if a host is listed twice', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), hosts: ['a.example.com', 'a.example.com'] }))
        .toThrow('hosts must be unique, got "a.example.com" twice');
    });

    test('fails if no server serves a host', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), hosts: ['www.example.org'], servers: [{ hosts: ['*.example.com'] }] }))
        .toThrow('hosts contains "www.example.org", which no Gateway server serves (servers\' hosts: *.example.com); add it to a server\'s hosts');
    });

    test('fails if two servers share a port name', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), servers: [{ port: 80 }, { port: 8080 }] }))
        .toThrow('servers port names must be unique, got "http" twice');
    });

    test('fails if a server port is out of range or the server list is empty', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), servers: [{ port: 0 }] }))
        .toThrow('servers[0].port must be a whole number between 1 and 65535, got 0');
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), servers: [] }))
        .toThrow('servers must list at least one server, got []');
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), servers: [{ hosts: [] }] }))
        .toThrow('servers[0].hosts must list at least one host, got []');
    });

    test('fails if a server protocol is not a web protocol', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), servers: [{ protocol: 'TCP' as GatewayProtocol }] }))
        .toThrow('servers[0].protocol must be one of HTTP, HTTP2, HTTPS, got "TCP"');
    });

    test('fails if the selector is empty or not labels', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), selector: {} }))
        .toThrow('selector must hold at least one label, got {}');
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), selector: { istio: 'ingress gateway' } }))
        .toThrow('selector["istio"] must be a label value');
    });

    test('fails if an object name is not a DNS-1123 subdomain, or a Gateway name not a DNS-1123 label', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), gatewayName: 'Website_Gateway' }))
        .toThrow('gatewayName must be a DNS-1123 label (at most 63 lower-case letters, digits or "-", no dots): Istio rejects other Gateway names, got "Website_Gateway"');
      // A dot passes the CRD schema, but Istio's webhook rejects the Gateway (ValidateGateway).
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), gatewayName: 'website.gateway' }))
        .toThrow('gatewayName must be a DNS-1123 label (at most 63 lower-case letters, digits or "-", no dots)');
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: site(), virtualServiceName: 'vs!' }))
        .toThrow('virtualServiceName must be a DNS-1123 subdomain');
    });

    test('fails if the website is missing', () => {
      expect(() => new IstioEntry(Testing.chart(), 'entry', { website: undefined as unknown as Website }))
        .toThrow('website must be a Website construct, got undefined');
    });
  });
});
