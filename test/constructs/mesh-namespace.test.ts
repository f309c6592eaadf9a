import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CanaryRelease, IstioEntry, MeshEnrollment, MeshNamespace, Website } from '../../lib';
import { verifyManifests } from '../../lib/mesh/verify';
import { allSchemaErrors, find, synth } from '../support/synth';

function shopChart(): Chart {
  return new Chart(Testing.app(), 'shop', { namespace: 'shop' });
}

describe('MeshNamespace', () => {
  test('default output: the chart\'s namespace, enrolled for automatic sidecar injection, without a namespace of its own', () => {
    // GIVEN
    const c = shopChart();
    // WHEN
    new MeshNamespace(c, 'namespace');
    // THEN
    const manifests = synth(c);
    expect(manifests).toMatchSnapshot();
    expect(manifests).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } }]);
    expect(allSchemaErrors(manifests)).toEqual([]);
  });

  test('a revision or the ambient mesh enrol it with their own label; more labels are kept', () => {
    // GIVEN
    const c = new Chart(Testing.app(), 'c');
    // WHEN
    new MeshNamespace(c, 'rev', { name: 'rev', enrollment: MeshEnrollment.revision('1-30-3') });
    new MeshNamespace(c, 'ambient', { name: 'ambient', enrollment: MeshEnrollment.ambient(), labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
    // THEN
    const manifests = synth(c);
    expect(find(manifests, 'Namespace', 'rev').metadata.labels).toEqual({ 'istio.io/rev': '1-30-3' });
    expect(find(manifests, 'Namespace', 'ambient').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(allSchemaErrors(manifests)).toEqual([]);
  });

  test('with the namespace in the chart, the verification finds the routed workloads enrolled', () => {
    // GIVEN
    const c = shopChart();
    const website = new Website(c, 'website', { serviceName: 'shop', versions: [{ name: 'v1', image: 'img:1' }] });
    const entry = new IstioEntry(c, 'entry', { website, hosts: ['shop.example.com'] });
    new CanaryRelease(c, 'release', { website, entry, stable: 'v1' });
    // WHEN
    new MeshNamespace(c, 'namespace');
    // THEN
    const manifests = synth(c);
    expect(verifyManifests(manifests).map((f) => f.code)).not.toContain('namespace-not-enrolled');
    const unlabelled = manifests.map((m) => (m.kind === 'Namespace' ? { ...m, metadata: { name: 'shop' } } : m));
    expect(verifyManifests(unlabelled).map((f) => f.code)).toContain('namespace-not-enrolled');
  });

  describe('bad input', () => {
    test('fails if there is no name and the chart has no namespace', () => {
      expect(() => new MeshNamespace(new Chart(new App(), 'plain'), 'namespace'))
        .toThrow('name must be given when the chart has no namespace, got none for chart "plain"; set name, or the chart\'s namespace');
    });

    test('fails if the name is not a DNS-1123 label', () => {
      expect(() => new MeshNamespace(shopChart(), 'namespace', { name: 'Shop' })).toThrow('name must be a DNS-1123 label');
    });

    test('fails if labels repeat an enrollment label, or the revision is not a label value', () => {
      expect(() => new MeshNamespace(shopChart(), 'namespace', { labels: { 'istio-injection': 'disabled' } }))
        .toThrow('labels must not hold the enrollment label "istio-injection", got "disabled": set enrollment instead');
      expect(() => MeshEnrollment.revision('1.30/3')).toThrow('revision must be a label value');
      expect(() => new MeshNamespace(shopChart(), 'namespace', { enrollment: 'sidecar' as never }))
        .toThrow('enrollment must be a MeshEnrollment (e.g. MeshEnrollment.sidecar()), got "sidecar"');
    });
  });
});
