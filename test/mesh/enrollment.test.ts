import { describe, expect, test } from 'vitest';
import { formatFinding } from '../../lib/mesh/findings';
import { verifyManifests } from '../../lib/mesh/verify';
import { deployment, gateway, M, tutorial } from '../support/fixtures';

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
