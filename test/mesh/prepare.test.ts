import { describe, expect, test } from 'vitest';
import { prepareManifests } from '../../lib/mesh/prepare';
import { parseManifestText } from '../../lib/mesh/read';
import { destinationRule, service, tutorial } from '../support/fixtures';

describe('prepareManifests', () => {
  test('keeps the last copy of an object given twice, in its place, and says where both are', () => {
    // GIVEN
    const first = parseManifestText('apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {v: "1"}}\n', 'a.yaml');
    const second = parseManifestText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec: {selector: {v: "2"}}\n', 'b.yaml');
    // WHEN
    const prepared = prepareManifests([...first, ...second]);
    // THEN
    expect(prepared.manifests.map((m) => [m.kind, m.spec?.selector?.v])).toEqual([['ConfigMap', undefined], ['Service', '2']]);
    expect(prepared.findings).toEqual([{
      severity: 'info', code: 'replaced-object', kind: 'Service', namespace: 'default', name: 'web', source: { file: 'b.yaml', line: 5 },
      message: 'is given twice: this copy replaces the one at a.yaml:1, as kubectl apply keeps the last one applied; only this copy is verified',
    }]);
    expect(prepared.replaced).toBe(1);
    expect(prepared.verified).toEqual(new Map([['Service', 1]]));
    expect(prepared.skipped).toEqual(new Map([['ConfigMap', 1]]));
  });

  test('tells apart objects of the same name in other groups, kinds or namespaces', () => {
    const objects = [
      service('web'), service('web', { ns: 'other' }), destinationRule('web', 'web', []),
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw' } },
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: {} },
      { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 'gw' } },
    ];
    const prepared = prepareManifests(objects);
    expect(prepared.manifests).toHaveLength(6);
    expect(prepared.verified).toEqual(new Map([['Service', 2], ['DestinationRule', 1], ['Gateway (gateway.networking.k8s.io)', 1], ['Gateway', 1]]));
    expect(prepared.skipped).toEqual(new Map([['TCPRoute', 1]]));
  });

  test('counts GRPCRoutes and TLSRoutes of served versions as verified, others by their apiVersion as skipped, and leaves out those of the wrong shape', () => {
    // GIVEN
    const route = (kind: string, version: string, name: string, spec: unknown = { hostnames: ['a.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }) => ({
      apiVersion: `gateway.networking.k8s.io/${version}`, kind, metadata: { name }, spec,
    });
    // WHEN
    const prepared = prepareManifests([
      route('GRPCRoute', 'v1', 'g'), route('TLSRoute', 'v1', 't'), route('TLSRoute', 'v1alpha2', 't2'), route('GRPCRoute', 'v1alpha2', 'g2'),
      route('TLSRoute', 'v1', 'bad', { rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }),
    ]);
    // THEN
    expect(prepared.verified).toEqual(new Map([['GRPCRoute', 1], ['TLSRoute', 2]]));
    expect(prepared.skipped).toEqual(new Map([['GRPCRoute (gateway.networking.k8s.io/v1alpha2)', 1]]));
    expect(prepared.findings.map((f) => [f.code, f.kind, f.name, f.message])).toEqual([
      ['invalid-field', 'TLSRoute', 'bad', 'spec.hostnames is required; the API server or Istio refuses the object, so it is left out of the other checks'],
    ]);
    expect(prepared.manifests.map((m) => m.metadata?.name)).toEqual(['g', 't', 't2', 'g2']);
  });

  test('leaves out objects of the wrong shape, with an invalid-field error per field', () => {
    const bad = service('web');
    bad.spec.ports = 'http';
    const prepared = prepareManifests([bad, ...tutorial()]);
    expect(prepared.manifests).not.toContain(bad);
    expect(prepared.invalid).toBe(1);
    expect(prepared.findings.map((f) => [f.severity, f.code, f.kind, f.name, f.message])).toEqual([
      ['error', 'invalid-field', 'Service', 'web', 'spec.ports must be a list, got the string "http"; the API server or Istio refuses the object, so it is left out of the other checks'],
    ]);
  });

  test('counts documents that are not Kubernetes objects apart', () => {
    const prepared = prepareManifests([{ replicaCount: 3 }, { kind: 'A' }, null, 'text', ...tutorial()]);
    expect(prepared.notObjects).toBe(4);
    expect(prepared.manifests).toHaveLength(tutorial().length);
  });
});
