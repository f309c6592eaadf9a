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

describe('schema validation of Gateway API objects (v1.5.1 standard channel)', () => {
  const route = () => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'website' },
    spec: {
      parentRefs: [{ name: 'website-gateway' }],
      rules: [{ backendRefs: [{ name: 'website-v2', port: 80, weight: 20 }, { name: 'website-v1', port: 80, weight: 80 }] }],
    },
  });
  const gateway = () => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'website-gateway' },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  });

  test('accepts a Gateway and a weighted HTTPRoute, with the defaults the API server fills in before its CEL rules run', () => {
    expect([gateway(), route()].flatMap(schemaErrors)).toEqual([]);
  });

  test('rejects an unknown field in an HTTPRoute, as strict field validation does', () => {
    const r: any = route();
    r.spec.rules[0].retry = { attempts: 2 };
    expect(schemaErrors(r)).toEqual([
      'HTTPRoute website: spec.rules.0 must NOT have additional properties {"additionalProperty":"retry"}',
    ]);
  });

  test('rejects the experimental channel\'s sessionPersistence, which v1.5.1\'s standard channel lacks', () => {
    const r: any = route();
    r.spec.rules[0].sessionPersistence = { sessionName: 'canary', type: 'Cookie' };
    expect(schemaErrors(r).join()).toContain('"additionalProperty":"sessionPersistence"');
  });

  test('evaluates the CRDs\' CEL rules: a Service backend needs a port', () => {
    const r: any = route();
    delete r.spec.rules[0].backendRefs[0].port;
    expect(schemaErrors(r)).toEqual([
      'HTTPRoute website: spec.rules[0].backendRefs[0]: Must have port for Service reference ((size(self.group) == 0 && self.kind == \'Service\') ? has(self.port) : true)',
    ]);
  });

  test('evaluates the CRDs\' CEL rules over keyword-named fields (namespace): two refs to one parent need section names', () => {
    const r: any = route();
    r.spec.parentRefs = [{ name: 'website-gateway', sectionName: 'https' }, { name: 'website-gateway' }];
    expect(schemaErrors(r).join()).toContain('sectionName must be specified when parentRefs includes 2 or more references to the same parent');
  });

  test('rejects a Gateway listener name that is not a DNS-1123 label', () => {
    const g: any = gateway();
    g.spec.listeners[0].name = 'HTTP';
    expect(schemaErrors(g).join()).toContain('spec.listeners.0.name must match pattern');
  });
});
