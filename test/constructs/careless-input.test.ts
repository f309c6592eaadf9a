import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CanaryRelease, GatewayProtocol, IstioEntry, MeshNamespace, RequestMatch, RolloutStep, TrafficApi, Website, Weight } from '../../lib';

/*
 * Careless input, as plain JavaScript or values read from YAML and environment variables pass it:
 * each is refused with the prop, the value and what is allowed, before anything is written.
 */

function site(c: Chart = new Chart(new App(), 'c')): Website {
  return new Website(c, 'site', { serviceName: 'web', versions: [{ name: 'v1', image: 'web:1', replicas: 2 }, { name: 'v2', image: 'web:2', replicas: 2 }] });
}

describe('careless input to the constructs', () => {
  test('fails if a boolean prop is a string or a number: "true" and "false" would be read wrongly', () => {
    const https = { port: 443, protocol: GatewayProtocol.HTTPS, tls: { credentialName: 'cert' } };
    expect(() => new IstioEntry(Testing.chart(), 'e', { website: site(), hosts: ['www.example.com'], servers: [https, { port: 80, httpsRedirect: 'true' as never }] }))
      .toThrow('servers[1].httpsRedirect must be true or false, got "true"');
    expect(() => new IstioEntry(Testing.chart(), 'e', { website: site(), hosts: ['www.example.com'], tls: { credentialName: 'cert', redirectHttp: 'false' as never } }))
      .toThrow('tls.redirectHttp must be true or false, got "false"');
    expect(() => new IstioEntry(Testing.chart(), 'e', { website: site(), hosts: ['www.example.com'], mesh: 'false' as never }))
      .toThrow('mesh must be true or false, got "false"');
  });

  test('fails if an options or label object is null, a string or an array', () => {
    const entry = (props: object) => () => new IstioEntry(Testing.chart(), 'e', { website: site(), hosts: ['www.example.com'], ...props });
    expect(entry({ selector: 'abc' })).toThrow('selector must be an object of label keys to values (e.g. { app: \'web\' }), got "abc"');
    expect(entry({ tls: null })).toThrow('tls must be an object such as { credentialName: \'www-cert\' }, or left out, got null');
    expect(entry({ servers: [{ hosts: 'www.example.com' }] })).toThrow('servers[0].hosts must list at least one host, got "www.example.com"');
    expect(() => new MeshNamespace(Testing.chart(), 'ns', { name: 'shop', labels: ['a'] as never })).toThrow('must be an object of label keys to values');
    const release = (props: object) => () => {
      const c = new Chart(new App(), 'c');
      const website = site(c);
      new CanaryRelease(c, 'r', { website, entry: new IstioEntry(c, 'e', { website, hosts: ['www.example.com'] }), stable: 'v1', canary: 'v2', ...props });
    };
    expect(release({ retries: null })).toThrow('retries must be an object such as { attempts: 2 }, or left out, got null');
    expect(release({ stickySession: null })).toThrow('stickySession must be an object such as { maxAge: Duration.hours(24) }, or left out, got null');
    expect(release({ trafficPolicy: null })).toThrow('trafficPolicy must be an object such as { connectionPool: { maxConnections: 100 } }, or left out, got null');
    expect(release({ versionTrafficPolicies: { v1: null } })).toThrow('versionTrafficPolicies["v1"] must be an object such as');
    expect(release({ canaryWeight: Weight.percent(100), canaryFault: null })).toThrow('canaryFault must be an object such as');
  });

  test('fails if a second CanaryRelease takes a website another one releases: two DestinationRules for one host', () => {
    const c = new Chart(new App(), 'c');
    const website = site(c);
    new CanaryRelease(c, 'r1', { website, entry: new IstioEntry(c, 'e1', { website, hosts: ['a.example.com'] }), stable: 'v1', canary: 'v2' });
    const e2 = new IstioEntry(c, 'e2', { website, hosts: ['b.example.com'] });
    expect(() => new CanaryRelease(c, 'r2', { website, entry: e2, stable: 'v1', canary: 'v2' }))
      .toThrow('website must be released by one CanaryRelease only: c/r2 cannot release c/site, already released by c/r1');
  });

  test('fails if a Gateway API routeName leaves no room for the routes named after it', () => {
    const entry = (routeName: string) => {
      const c = Testing.chart();
      new IstioEntry(c, 'e', { website: site(), hosts: ['www.example.com'], api: TrafficApi.GATEWAY_API, tls: { credentialName: 'cert' }, routeName });
      return () => Testing.synth(c);
    };
    expect(() => entry('r'.repeat(245))).toThrow('routeName must be at most 238 characters here (the route rrrrrrrr…-https-redirect is named after it, and a name holds 253), got 245 characters');
    expect(() => entry('r'.repeat(238))).not.toThrow();
  });

  test('fails on a number for a Weight step, and a uri match that does not start with "/"', () => {
    expect(() => RolloutStep.weight(10 as never)).toThrow('RolloutStep.weight needs a Weight (e.g. Weight.percent(10)), got 10');
    expect(RolloutStep.weight(Weight.percent(10))).toBeInstanceOf(RolloutStep);
    expect(() => RequestMatch.uri('api')).toThrow('uri must start with "/" for an exact or prefix match (every request path does), got "api"');
    expect(() => RequestMatch.uri('')).toThrow('uri must start with "/"');
    expect(RequestMatch.uri('/api')).toBeInstanceOf(RequestMatch);
  });
});
