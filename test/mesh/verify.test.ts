import { describe, expect, test } from 'vitest';
import { formatFinding } from '../../lib/mesh/findings';
import { errorsOf, verifyManifests } from '../../lib/mesh/verify';
import { tutorial, tutorialStep4AsWritten } from '../support/fixtures';

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
