import { describe, expect, test } from 'vitest';
import { formatFinding } from '../../lib/mesh/findings';
import { Manifest } from '../../lib/mesh/manifests';
import { checkTrafficPolicies } from '../../lib/mesh/traffic-findings';
import { verifyManifests } from '../../lib/mesh/verify';

function deployment(name: string, version: string, replicas?: number): Manifest {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: { ...(replicas !== undefined ? { replicas } : {}), selector: { matchLabels: { app: 'website', version } }, template: { metadata: { labels: { app: 'website', version } } } },
  };
}

const service: Manifest = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'website' }, spec: { selector: { app: 'website' }, ports: [{ name: 'http', port: 80 }] } };

function destinationRule(trafficPolicy: unknown, v2Policy?: unknown): Manifest {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'website' },
    spec: {
      host: 'website',
      ...(trafficPolicy !== undefined ? { trafficPolicy } : {}),
      subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, ...(v2Policy !== undefined ? { trafficPolicy: v2Policy } : {}) }],
    },
  };
}

function virtualService(http: unknown[]): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'website' }, spec: { hosts: ['website'], http } };
}

describe('checkTrafficPolicies', () => {
  test('fails if a value is one Istio\'s webhook rejects: retries of 0 attempts with retryOn', () => {
    // GIVEN
    const vs = virtualService([{ route: [{ destination: { host: 'website' } }], retries: { attempts: 0, retryOn: 'connect-failure' } }]);
    // WHEN
    const findings = checkTrafficPolicies([vs]);
    // THEN
    expect(findings.map(formatFinding)).toEqual([
      'ERROR IST0106 VirtualService default/website: spec.http[0].retries attempts of 0 turns retries off, so retryOn must not be set (Istio rejects them); Istio\'s validation webhook rejects the object, so kubectl apply fails',
    ]);
  });

  test('verifyManifests reports webhook rejections as errors', () => {
    const vs = virtualService([{ route: [{ destination: { host: 'website' } }], fault: { abort: { httpStatus: 500, percentage: { value: 0.00005 } } } }]);
    const findings = verifyManifests([service, deployment('web-v1', 'v1'), vs]);
    expect(findings.filter((f) => f.code === 'rejected-by-istio').map((f) => f.severity)).toEqual(['error']);
  });

  test('warns when a mirror percentage rounds to zero', () => {
    const vs = virtualService([{ route: [{ destination: { host: 'website', subset: 'v1' } }], mirror: { host: 'website', subset: 'v2' }, mirrorPercentage: { value: 0.00005 } }]);
    expect(checkTrafficPolicies([vs]).map((f) => [f.severity, f.code])).toEqual([['warning', 'mirror-copies-nothing']]);
  });

  test('warns when a rule mirrors to a destination that also serves part of it', () => {
    // GIVEN a 20/80 split that mirrors 10% to v2: 2% of requests are served by v2 and copied to v2
    const vs = virtualService([{
      route: [{ destination: { host: 'website', subset: 'v2' }, weight: 20 }, { destination: { host: 'website', subset: 'v1' }, weight: 80 }],
      mirror: { host: 'website', subset: 'v2' },
      mirrorPercentage: { value: 10 },
    }]);
    // WHEN
    const findings = checkTrafficPolicies([vs]);
    // THEN
    expect(findings.map((f) => f.code)).toEqual(['mirror-copies-served-requests']);
    expect(findings[0].message).toContain('which also serves 20% of the rule\'s requests');
  });

  test('reads mirrors: as pilot does, like mirror:, and compares hosts as Istio completes them', () => {
    // GIVEN a 20/80 split with a mirrors entry to v2 written with the full host, at a share that rounds to 0
    const split = [{ destination: { host: 'website', subset: 'v2' }, weight: 20 }, { destination: { host: 'website', subset: 'v1' }, weight: 80 }];
    const vs = virtualService([{ route: split, mirrors: [{ destination: { host: 'website.default.svc.cluster.local', subset: 'v2' }, percentage: { value: 0.00001 } }] }]);
    // WHEN / THEN both warnings, naming the entry
    expect(checkTrafficPolicies([vs]).map((f) => `${f.code}: ${f.message}`)).toEqual([
      'mirror-copies-nothing: http rule 1\'s mirrors[0] mirrors 0.00001% of its requests, which Istio turns into 0 millionths: nothing is copied; use at least 0.0001, or remove the mirror',
      expect.stringMatching(/^mirror-copies-served-requests: http rule 1's mirrors\[0\] mirrors to v2, which also serves 20% of the rule's requests/),
    ]);
    // AND a mirrors entry to another namespace's website is another host
    expect(checkTrafficPolicies([virtualService([{ route: split, mirrors: [{ destination: { host: 'website.shop.svc.cluster.local', subset: 'v2' } }] }])])).toEqual([]);
  });

  test('a mirror from a rule that only routes to stable is fine', () => {
    const vs = virtualService([{ route: [{ destination: { host: 'website', subset: 'v1' } }], mirror: { host: 'website', subset: 'v2' }, mirrorPercentage: { value: 10 } }]);
    expect(checkTrafficPolicies([vs])).toEqual([]);
  });

  test('warns when outlier detection can eject the only pod of a subset', () => {
    // GIVEN a one-pod canary whose subset may eject 100% of its pods
    const manifests = [service, deployment('web-v1', 'v1', 4), deployment('web-v2', 'v2'), destinationRule(undefined, { outlierDetection: { consecutive5xxErrors: 2, maxEjectionPercent: 100 } })];
    // WHEN
    const findings = checkTrafficPolicies(manifests);
    // THEN
    expect(findings.map((f) => [f.severity, f.code, f.kind, f.name])).toEqual([['warning', 'outlier-ejects-only-pod', 'DestinationRule', 'website']]);
    expect(findings[0].message).toMatch(/^subset "v2" runs one pod and its outlierDetection has maxEjectionPercent 100: after 2 consecutive 5xx/);
  });

  test('reads the DestinationRule host as Istio does: the full name applies, name.namespace applies to nothing', () => {
    const policy = { outlierDetection: { consecutive5xxErrors: 2, maxEjectionPercent: 100 } };
    const withHost = (host: string) => {
      const dr = destinationRule(undefined, policy);
      return checkTrafficPolicies([service, deployment('web-v1', 'v1', 4), deployment('web-v2', 'v2'), { ...dr, spec: { ...dr.spec, host } }]).map((f) => f.code);
    };
    expect(withHost('website.default.svc.cluster.local')).toEqual(['outlier-ejects-only-pod']);
    expect(withHost('website.default')).toEqual([]);
    expect(withHost('website.other.svc.cluster.local')).toEqual([]);
  });

  test('the top-level outlier detection applies to subsets that set none', () => {
    const manifests = [service, deployment('web-v1', 'v1', 4), deployment('web-v2', 'v2', 1), destinationRule({ outlierDetection: { maxEjectionPercent: 100 } })];
    expect(checkTrafficPolicies(manifests).map((f) => f.message.slice(0, 12))).toEqual(['subset "v2" ']);
  });

  test('no outlier warning with two pods, a max below 100, a panic threshold or ejection turned off', () => {
    const at = (replicas: number, outlier: Record<string, unknown>) => checkTrafficPolicies([service, deployment('web-v1', 'v1', 4), deployment('web-v2', 'v2', replicas), destinationRule(undefined, { outlierDetection: outlier })]);
    expect(at(2, { maxEjectionPercent: 100 })).toEqual([]);
    expect(at(1, { maxEjectionPercent: 50 })).toEqual([]);
    expect(at(1, { maxEjectionPercent: 100, minHealthPercent: 50 })).toEqual([]);
    expect(at(1, { maxEjectionPercent: 100, consecutive5xxErrors: 0 })).toEqual([]);
  });
});
