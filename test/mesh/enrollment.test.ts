import { describe, expect, test } from 'vitest';
import { formatFinding } from '../../lib/mesh/findings';
import { verifyManifests } from '../../lib/mesh/verify';
import { deployment, gateway, M, route, service, tutorial, virtualService } from '../support/fixtures';

function namespace(name: string, labels: Record<string, string> = {}): M {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

function codes(manifests: M[], prefix: string): string[] {
  return verifyManifests(manifests).filter((f) => f.code === prefix).map(formatFinding);
}

describe('mesh enrollment (IST0102, IST0123)', () => {
  test('a namespace in the input that routed workloads live in, with no enrollment label, is reported', () => {
    // GIVEN the tutorial with its namespace, unlabelled
    const manifests = [namespace('default'), ...tutorial()];
    // WHEN
    const found = codes(manifests, 'namespace-not-enrolled');
    // THEN
    expect(found).toEqual([
      'WARNING IST0102 Namespace default/default: namespace default is not enrolled in the mesh, but Deployment default/web-v2 (routed by VirtualService default/website-virtual-service), Deployment default/web-v1 (routed by VirtualService default/website-virtual-service) live in it: their pods get no sidecar, so they are outside the mesh (no mutual TLS, and the routing rules of their own calls do not apply); label the namespace istio-injection=enabled, istio.io/rev=<revision> or istio.io/dataplane-mode=ambient, or istio-injection=disabled to keep it out on purpose',
    ]);
  });

  test.each([
    ['istio-injection: enabled', { 'istio-injection': 'enabled' }],
    ['istio.io/rev', { 'istio.io/rev': '1-30-3' }],
    ['istio.io/dataplane-mode: ambient', { 'istio.io/dataplane-mode': 'ambient' }],
    ['istio-injection: disabled (out on purpose)', { 'istio-injection': 'disabled' }],
  ])('a namespace labelled %s is not reported', (_, labels) => {
    expect(codes([namespace('default', labels), ...tutorial()], 'namespace-not-enrolled')).toEqual([]);
  });

  test('a namespace outside the input, or one without routed workloads, or istio-system, is not reported', () => {
    expect(codes(tutorial(), 'namespace-not-enrolled')).toEqual([]);
    expect(codes([namespace('other'), deployment('x', { app: 'x' }, { ns: 'other' }), ...tutorial()], 'namespace-not-enrolled')).toEqual([]);
    const inSystem = tutorial().map((m: M) => ({ ...m, metadata: { ...m.metadata, namespace: 'istio-system' } }));
    expect(codes([namespace('istio-system'), ...inSystem], 'namespace-not-enrolled')).toEqual([]);
  });

  test('pods that enrol themselves are not reported; the others are', () => {
    // GIVEN web-v1 asks for a sidecar itself, web-v2 does not
    const manifests = [namespace('default'), ...tutorial()];
    const v1 = manifests.find((m: M) => m.metadata.name === 'web-v1');
    v1.spec.template.metadata.labels['sidecar.istio.io/inject'] = 'true';
    // WHEN
    const found = codes(manifests, 'namespace-not-enrolled');
    // THEN
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('but Deployment default/web-v2 (routed by VirtualService default/website-virtual-service) lives in it');
    expect(found[0]).not.toContain('web-v1');
  });

  test('a namespace with two kinds of enrollment label is a warning, as istioctl\'s IST0123', () => {
    expect(codes([namespace('default', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }), ...tutorial()], 'conflicting-enrollment-labels')).toEqual([
      'WARNING IST0123 Namespace default/default: labels istio-injection=enabled, istio.io/rev=canary each enrol the namespace in a different way, and which one applies is undefined; keep one of them',
    ]);
    expect(codes([namespace('default', { 'istio-injection': 'disabled', 'istio.io/rev': 'canary' }), ...tutorial()], 'conflicting-enrollment-labels')).toEqual([]);
  });
});

describe('conflicting gateways (IST0145)', () => {
  test('two Gateways serving the same host on the same port of the same gateway workload are an error on each', () => {
    // GIVEN a second Gateway like the tutorial's, with the default "*" host
    const manifests = [...tutorial(), gateway('second-gateway')];
    // WHEN
    const found = codes(manifests, 'conflicting-gateways');
    // THEN
    expect(found.map((f) => f.split(':')[0])).toEqual(['ERROR IST0145 Gateway default/second-gateway', 'ERROR IST0145 Gateway default/website-gateway']);
  });

  test('Gateways in different namespaces conflict too, since they configure the same gateway workload', () => {
    expect(codes([...tutorial(), gateway('other', ['*'], { ns: 'team-b' })], 'conflicting-gateways')).toHaveLength(2);
  });

  test('one Gateway repeating a host in two servers is not a conflict between Gateways', () => {
    const twice = gateway('twice');
    twice.spec.servers.push({ ...twice.spec.servers[0], port: { number: 80, name: 'http-2', protocol: 'HTTP' } });
    expect(codes([twice], 'conflicting-gateways')).toEqual([]);
  });

  test('other hosts, other ports or other gateway workloads do not conflict', () => {
    const otherPort = gateway('other-port');
    otherPort.spec.servers[0].port.number = 8080;
    // (another host overlapping "*", such as www.example.com, conflicts as in istioctl: host names match by wildcard)
    expect(codes([gateway('one', ['shop.example.com']), gateway('other-host', ['www.example.com'])], 'conflicting-gateways')).toEqual([]);
    expect(codes([...tutorial(), otherPort], 'conflicting-gateways')).toEqual([]);
    expect(codes([...tutorial(), gateway('other-workload', ['*'], { selector: { istio: 'internal-gateway' } })], 'conflicting-gateways')).toEqual([]);
  });
});

describe('in-mesh routes in the ambient mesh need a waypoint', () => {
  const ambient = (labels: Record<string, string> = {}) => namespace('default', { 'istio.io/dataplane-mode': 'ambient', ...labels });
  const meshVs = virtualService('split', [{ route: [route('website', 'version-2', 20), route('website', 'version-1', 80)] }], { hosts: ['website'], gateways: ['mesh'] });
  const gammaRoute: M = {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'split' },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'website', port: 80 }], rules: [{ backendRefs: [{ name: 'website', port: 80 }] }] },
  };

  test('fails if a mesh VirtualService or a Service-attached HTTPRoute routes a Service of an ambient namespace without a waypoint', () => {
    // GIVEN the tutorial in an ambient namespace, with an in-mesh split of each API
    for (const split of [meshVs, gammaRoute]) {
      const found = verifyManifests([ambient(), ...tutorial(), split]).filter((f) => f.code === 'mesh-route-without-waypoint');
      // THEN the route is reported: ambient pods ignore it (pilot's ResolvedWaypoints condition)
      expect(found.map((f) => `${f.severity} ${f.kind}/${f.name}`), split.kind).toEqual([`error ${split.kind}/split`]);
      expect(found[0].message).toContain('routes in-mesh calls to Service default/website, whose namespace is in the ambient mesh (istio.io/dataplane-mode=ambient) and which uses no waypoint');
    }
  });

  test('near miss: a waypoint on the Service or its namespace, a sidecar namespace, a gateway-only route, or a namespace not in the manifests', () => {
    const labelled = { ...service('website', { selector: { app: 'website' } }), metadata: { name: 'website', labels: { 'istio.io/use-waypoint': 'waypoint' } } };
    const waypointCodes = (manifests: M[]) => codes(manifests, 'mesh-route-without-waypoint');
    expect(waypointCodes([ambient(), labelled, ...tutorial().filter((m) => m.kind !== 'Service'), meshVs])).toEqual([]);
    expect(waypointCodes([ambient({ 'istio.io/use-waypoint': 'waypoint' }), ...tutorial(), gammaRoute])).toEqual([]);
    expect(waypointCodes([namespace('default', { 'istio-injection': 'enabled' }), ...tutorial(), meshVs])).toEqual([]);
    expect(waypointCodes([ambient(), ...tutorial()])).toEqual([]);
    expect(waypointCodes([...tutorial(), meshVs])).toEqual([]);
    // `none` opts the Service out of its namespace's waypoint
    expect(waypointCodes([ambient({ 'istio.io/use-waypoint': 'none' }), ...tutorial(), meshVs])).toHaveLength(1);
  });
});
