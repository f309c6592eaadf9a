import { App, Chart, Duration } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  CanaryRelease, IstioEntry, IstioEntryProps, MeshRouting, Percentage, PlanReleaseOptions, RequestMatch, RetryOn, RolloutPlan, RolloutStep, Website, Weight,
} from '../../lib';
import { planViolations } from '../support/invariants';

const QA = RequestMatch.header('qa', 'canary-test');
const website = {
  serviceName: 'shop',
  versions: [{ name: 'v1', image: 'shop:1', replicas: 4 }, { name: 'v2', image: 'shop:2', replicas: 2 }],
};
const entry: Omit<IstioEntryProps, 'website'> = { hosts: ['shop.example.com'], gatewayName: 'shop', virtualServiceName: 'shop' };
const ROUTING = ['Gateway', 'VirtualService', 'DestinationRule'];

/** The routing objects of the same release built as a chart, with the ids a plan's stages use. */
function asChart(release: PlanReleaseOptions, entryProps: Omit<IstioEntryProps, 'website'>, weight: Weight): unknown[] {
  const chart = new Chart(new App({ outdir: 'unused' }), 'release', { namespace: 'default' });
  const site = new Website(chart, 'website', website);
  const istioEntry = new IstioEntry(chart, 'entry', { ...entryProps, website: site });
  new CanaryRelease(chart, 'release', { ...release, website: site, entry: istioEntry, destinationRuleName: 'shop', stable: 'v1', canary: 'v2', canaryMatches: [QA], canaryWeight: weight });
  return chart.toJson().filter((m) => ROUTING.includes(m.kind));
}

const cases: Array<[string, PlanReleaseOptions, Omit<IstioEntryProps, 'website'>?]> = [
  ['mirroring with sticky sessions', { mirrorToCanary: Percentage.of(10), stickySession: { cookieName: 'shop-canary', maxAge: Duration.hours(1) } }],
  ['sticky sessions', { stickySession: { cookieName: 'shop-canary', maxAge: Duration.hours(1) } }],
  ['a timeout', { timeout: Duration.seconds(5) }],
  ['retries', { retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [RetryOn.SERVER_ERROR] } }],
  ['faults on the canary', { canaryFault: { delay: { fixedDelay: Duration.millis(500), percentage: Percentage.of(50) } } }],
  ['traffic policies', { trafficPolicy: { connectionPool: { maxConnections: 100 } }, versionTrafficPolicies: { v2: { outlierDetection: { consecutive5xxErrors: 3 } } } }],
  ['mesh routing', { meshRouting: MeshRouting.STABLE_ONLY }, { ...entry, mesh: true }],
  ['TLS on the entry', {}, { ...entry, tls: { credentialName: 'shop-cert' } }],
];

describe('a plan with the release options of CanaryRelease', () => {
  test.each(cases)('with %s, the final stage routes exactly as the same release built as a chart', (_name, release, entryProps = entry) => {
    // GIVEN a plan whose final stage sends QA's header and 20% of the rest to the canary
    const plan = new RolloutPlan({
      website, entry: entryProps, destinationRuleName: 'shop', stable: 'v1', canary: 'v2', release,
      steps: [RolloutStep.deployCanary(), RolloutStep.headerOnly(QA), RolloutStep.weight(Weight.percent(20), { keepMatches: true })],
    });
    // WHEN
    const stages = plan.stages();
    const final = stages[stages.length - 1].manifests.filter((m) => ROUTING.includes(m.kind ?? ''));
    // THEN
    expect(final).toEqual(asChart(release, entryProps, Weight.percent(20)));
    expect(planViolations(plan)).toEqual([]);
  });

  test('options that need a canary are left out of the stages without one, and faults of the stages without a canary-only route', () => {
    // GIVEN
    const plan = new RolloutPlan({
      website, entry, destinationRuleName: 'shop', stable: 'v1', canary: 'v2',
      release: { mirrorToCanary: Percentage.of(10), canaryFault: { abort: { httpStatus: 503, percentage: Percentage.of(5) } }, timeout: Duration.seconds(5) },
      steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(20)), RolloutStep.promote(), RolloutStep.finalize()],
    });
    // THEN
    const http = (folder: string) => [plan.startStage()!, ...plan.stages()].find((s) => s.state.folder === folder)!.manifests.find((m) => m.kind === 'VirtualService')!.spec.http;
    expect(http('00-steady-state')).toEqual([{ route: [{ destination: { host: 'shop', subset: 'v1' } }], timeout: '5s' }]);
    expect(http('01-deploy-canary')[0]).toMatchObject({ mirror: { host: 'shop', subset: 'v2' } });
    expect(http('02-weight-20')[0].fault).toBeUndefined();
    expect(http('03-promote')[0].fault).toEqual({ abort: { httpStatus: 503, percentage: { value: 5 } } });
    expect(http('04-finalize')).toEqual([{ route: [{ destination: { host: 'shop', subset: 'v2' } }], timeout: '5s' }]);
    // AND mirrored copies count in the canary's share: 30% of the requests need 2 of its pods (25% per pod at most)
    expect(plan.stages()[1].manifests.find((m) => m.kind === 'Deployment' && m.spec.template.metadata.labels.version === 'v2')!.spec.replicas).toBe(2);
    expect(planViolations(plan)).toEqual([]);
  });

  test('mirroring stops at a rollback, so that the canary can be scaled down', () => {
    const plan = new RolloutPlan({
      website, entry, stable: 'v1', canary: 'v2', release: { mirrorToCanary: Percentage.of(10), stickySession: { cookieName: 'c', maxAge: Duration.hours(1) } },
      steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(20)), RolloutStep.rollback({ scaleCanaryToZero: true })],
    });
    const mirrors = (stage: number) => plan.stages()[stage].manifests.find((m) => m.kind === 'VirtualService')!.spec.http.filter((r: any) => r.mirror !== undefined).length;
    expect([mirrors(0), mirrors(1), mirrors(2)]).toEqual([1, 1, 0]);
    expect(planViolations(plan)).toEqual([]);
  });

  test('without sticky sessions, mirroring copies stable traffic until the first weighted split, which has no stable-only rule', () => {
    // GIVEN mirroring without sticky sessions: a split rule would also copy the canary's own requests
    const plan = new RolloutPlan({
      website, entry, stable: 'v1', canary: 'v2', release: { mirrorToCanary: Percentage.of(10) },
      steps: [RolloutStep.deployCanary(), RolloutStep.headerOnly(QA), RolloutStep.weight(Weight.percent(20)), RolloutStep.promote()],
    });
    // WHEN / THEN mirroring at the stages without a split, not at the split nor at 100%
    const mirrors = plan.stages().map((s) => s.manifests.find((m) => m.kind === 'VirtualService')!.spec.http.filter((r: any) => r.mirror !== undefined).length);
    expect(mirrors).toEqual([1, 1, 0, 0]);
    expect(planViolations(plan)).toEqual([]);
  });

  test('fails if a version traffic policy names a version the website does not have', () => {
    expect(() => new RolloutPlan({
      website, entry, stable: 'v1', canary: 'v2', release: { versionTrafficPolicies: { v3: { connectionPool: { maxConnections: 1 } } } }, steps: [RolloutStep.deployCanary()],
    })).toThrow('release.versionTrafficPolicies key must be a version of the website ("v1", "v2"), got "v3"');
  });
});
