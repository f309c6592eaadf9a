import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatFinding } from '../../lib/mesh/findings';
import { errorsOf, verifyManifests } from '../../lib/mesh/verify';
import { parseManifestText } from '../../lib/mesh/read';
import { tutorial, tutorialStep4AsWritten } from '../support/fixtures';
import { bookinfo, ISTIO_SAMPLES } from '../support/samples';

describe('verifyManifests', () => {
  test('the tutorial\'s final topology has no error, only the info about the ingress gateway living elsewhere', () => {
    const findings = verifyManifests(tutorial());
    expect(errorsOf(findings)).toEqual([]);
    expect(findings.map((f) => f.code)).toEqual(['gateway-selects-no-workload']);
  });

  test('the tutorial\'s step 4 as written has exactly the unknown-subset error', () => {
    const errors = errorsOf(verifyManifests(tutorialStep4AsWritten()));
    expect(errors.map(formatFinding)).toEqual([
      'ERROR IST0101 VirtualService default/website-virtual-service: http rule 1 routes to subset "version-2" of host website.default.svc.cluster.local, but DestinationRule default/website does not define it (it defines "version-1"); every request this route takes fails with 503 until the subset exists: add the subset to the DestinationRule before routing to it',
    ]);
  });

  test('fails if a rule delegates to a VirtualService that does not exist, and finds nothing else about a sound delegate', () => {
    // GIVEN the tutorial whose VirtualService delegates /api to api (a sound delegate) and /old to a missing one
    const manifests = tutorial().filter((m) => m.kind !== 'VirtualService');
    manifests.push(
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'api' }, spec: { http: [{ route: [{ destination: { host: 'website', subset: 'version-2' } }] }] } },
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'root' }, spec: { hosts: ['*'], gateways: ['website-gateway'], http: [
        { match: [{ uri: { prefix: '/api' } }], delegate: { name: 'api' } },
        { match: [{ uri: { prefix: '/old' } }], delegate: { name: 'old' } },
        { route: [{ destination: { host: 'website', subset: 'version-1' } }] },
      ] } },
    );
    // WHEN
    const findings = verifyManifests(manifests);
    // THEN
    expect(findings.map((f) => `${f.code} ${f.name}`)).toEqual(['delegate-not-found root', 'gateway-selects-no-workload website-gateway']);
  });

  test('orders findings errors first, then by object', () => {
    const manifests = tutorialStep4AsWritten();
    manifests.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'aaa' }, spec: { ports: [{ port: 1, name: 'x' }], selector: { app: 'none' } } });
    expect(verifyManifests(manifests).map((f) => f.severity)).toEqual(['error', 'warning', 'info', 'info']);
  });

  test('formatFinding uses our code where istioctl has none', () => {
    expect(formatFinding({ severity: 'warning' as never, code: 'subset-scaled-to-zero', kind: 'DestinationRule', namespace: 'default', name: 'website', message: 'm' }))
      .toBe('WARNING subset-scaled-to-zero DestinationRule default/website: m');
  });
});

describe('verifyManifests on manifests as kubectl apply leaves them', () => {
  test.skipIf(ISTIO_SAMPLES === undefined)('Istio\'s request-routing steps, applied one after the other, are one VirtualService reviews, not a conflict', () => {
    // GIVEN
    const files = [['platform', 'kube', 'bookinfo.yaml'], ['networking', 'destination-rule-all.yaml'], ['networking', 'virtual-service-all-v1.yaml'], ['networking', 'virtual-service-reviews-test-v2.yaml']];
    const manifests = files.map((f) => bookinfo(...f)).flatMap((file) => parseManifestText(readFileSync(file, 'utf8'), file));
    // WHEN
    const findings = verifyManifests(manifests);
    // THEN
    expect(findings.filter((f) => f.code === 'conflicting-mesh-virtualservices')).toEqual([]);
    expect(findings.find((f) => f.code === 'replaced-object')).toMatchObject({
      kind: 'VirtualService', name: 'reviews', source: { file: bookinfo('networking', 'virtual-service-reviews-test-v2.yaml'), line: 1 },
      message: expect.stringContaining(`replaces the one at ${bookinfo('networking', 'virtual-service-all-v1.yaml')}:`),
    });
  });

  test('fails if a second DestinationRule website without version-2 replaces the first while 20% still go to version-2', () => {
    // GIVEN
    const manifests = tutorial();
    const again = structuredClone(manifests.find((m) => m.kind === 'DestinationRule'));
    again.spec.subsets = again.spec.subsets.filter((s: any) => s.name !== 'version-2');
    // WHEN
    const errors = errorsOf(verifyManifests([...manifests, again]));
    // THEN
    expect(errors.map((f) => [f.code, f.kind, f.name])).toEqual([['unknown-subset', 'VirtualService', 'website-virtual-service']]);
  });

  test('reports an unrendered template namespace as an invalid field instead of crashing', () => {
    const text = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: website\n  namespace: {{.Namespace}}\nspec:\n  hosts: [website]\n';
    const findings = verifyManifests([...tutorial(), ...parseManifestText(text, 'chart/vs.yaml')]);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([expect.objectContaining({
      code: 'invalid-field', kind: 'VirtualService', name: 'website', source: { file: 'chart/vs.yaml', line: 1 },
    })]);
  });

  test('attaches to each finding the place of its object', () => {
    const text = readFileSync(join(__dirname, '..', 'fixtures', 'tutorial-step4.yaml'), 'utf8');
    const findings = verifyManifests(parseManifestText(text, 'step4.yaml'));
    expect(findings.map((f) => [f.code, f.source])).toEqual([['unknown-subset', { file: 'step4.yaml', line: 82 }], ['gateway-selects-no-workload', { file: 'step4.yaml', line: 67 }]]);
  });

  test('lists equal findings once', () => {
    // GIVEN a rule that sends two routes to the same missing subset
    const manifests = tutorialStep4AsWritten();
    const vs = manifests.find((m) => m.kind === 'VirtualService');
    vs.spec.http[0].route = [{ ...vs.spec.http[0].route[0], weight: 50 }, { ...vs.spec.http[0].route[0], weight: 50 }];
    // WHEN
    const errors = errorsOf(verifyManifests(manifests));
    // THEN
    expect(errors.map((f) => f.code)).toEqual(['unknown-subset']);
  });

  test('orders findings by code point, whatever the locale', () => {
    // GIVEN services whose names sort differently under localeCompare ("a" < "B") and by code point ("B" < "a")
    const manifests = ['a', 'B', 'b'].map((name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 1, name: 'x' }] } }));
    // WHEN
    const names = verifyManifests(manifests).map((f) => f.name);
    // THEN
    expect(names).toEqual(['B', 'a', 'b']);
  });
});

test('a null selector is taken as absent, as the API server does, instead of crashing', () => {
  const manifests = tutorial();
  manifests.find((m) => m.kind === 'Deployment').spec.selector = null;
  expect(() => verifyManifests(manifests)).not.toThrow();
});
