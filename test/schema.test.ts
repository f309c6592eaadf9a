import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseManifests, schemaErrors } from './support/schema';

// The validator that every other test relies on must itself reject what a cluster rejects.
const weighted = () => parseManifests(readFileSync(join(__dirname, '__snapshots__', 'tutorial', '05-weighted.yaml'), 'utf8'));
const get = (kind: string) => structuredClone(weighted().find((m) => m.kind === kind));

describe('schema validation used by the tests', () => {
  test('accepts the tutorial\'s final stage', () => {
    expect(weighted().flatMap(schemaErrors)).toEqual([]);
  });

  test('rejects the tutorial\'s original apiVersions, which this project never emits', () => {
    const deployment = { ...get('Deployment'), apiVersion: 'apps/v1beta1' };
    const vs = { ...get('VirtualService'), apiVersion: 'networking.istio.io/v1alpha3' };
    expect(schemaErrors(deployment)).toEqual(['Deployment web-v1: no schema for apps/v1beta1/Deployment']);
    expect(schemaErrors(vs)).toEqual(['VirtualService website-virtual-service: no schema for networking.istio.io/v1alpha3/VirtualService']);
  });

  test('rejects a Deployment without a selector, as apps/v1 requires one', () => {
    const deployment = get('Deployment');
    delete deployment.spec.selector;
    expect(schemaErrors(deployment).join()).toContain('must have required property selector');
  });

  test('rejects a malformed quantity', () => {
    const deployment = get('Deployment');
    deployment.spec.template.spec.containers[0].resources.requests.memory = '200 MB';
    expect(schemaErrors(deployment).join()).toContain('must match format "quantity"');
  });

  test('rejects an unknown field in an Istio object, as strict field validation does', () => {
    const vs = get('VirtualService');
    vs.spec.http[0].route[0].wieght = 20;
    expect(schemaErrors(vs)).toEqual([
      'VirtualService website-virtual-service: spec.http.0.route.0 must NOT have additional properties {"additionalProperty":"wieght"}',
    ]);
  });

  test('rejects a wrong type in an Istio object', () => {
    const gateway = get('Gateway');
    gateway.spec.servers[0].port.number = '80';
    expect(schemaErrors(gateway).join()).toContain('spec.servers.0.port.number must be integer');
  });

  test('evaluates the CRDs\' CEL rules', () => {
    const vs = get('VirtualService');
    vs.spec.http[0].timeout = '0s';
    expect(schemaErrors(vs).join()).toContain('spec.http[0].timeout: must be a valid duration greater than 1ms');
    const gateway = get('Gateway');
    gateway.spec.servers[0].tls = { mode: 'SIMPLE', credentialName: 'a', credentialNames: ['b'] };
    expect(schemaErrors(gateway).join()).toContain('only one of credentialName or credentialNames can be set');
  });

  test('rejects an object name that is not a DNS-1123 subdomain', () => {
    const dr = get('DestinationRule');
    dr.metadata.name = 'Website';
    expect(schemaErrors(dr)).toEqual(['DestinationRule Website: metadata.name must be a DNS-1123 subdomain, got "Website"']);
  });
});
