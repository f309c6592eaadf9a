import { ApiObject, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CanaryRelease, CanaryReleaseProps, IstioEntry, MeshEnrollment, MeshNamespace, MeshRouting, Percentage, RequestMatch, StringMatch, TrafficApi, Website, Weight } from '../../lib';
import { allSchemaErrors, find, ofKind, synth } from '../support/synth';

function setup(entryProps: { mesh?: boolean; waypoint?: string } = {}): { c: Chart; website: Website; entry: IstioEntry } {
  const c = Testing.chart();
  const website = new Website(c, 'site', {
    serviceName: 'website',
    versions: ['v1', 'v2'].map((name) => ({ name, image: `img:${name}`, deploymentName: `web-${name}` })),
  });
  const entry = new IstioEntry(c, 'entry', {
    website, api: TrafficApi.GATEWAY_API, gatewayName: 'gw', routeName: 'website', hosts: ['www.example.com'], ...entryProps,
  });
  return { c, website, entry };
}

type ReleaseOptions = Omit<CanaryReleaseProps, 'website' | 'entry'>;

function release(options: ReleaseOptions, entryProps: { mesh?: boolean; waypoint?: string } = {}) {
  const { c, website, entry } = setup(entryProps);
  const r = new CanaryRelease(c, 'release', { website, entry, ...options });
  return { c, release: r, manifests: () => synth(c) };
}

describe('CanaryRelease on a Gateway API entry', () => {
  test('fails synthesis if in-mesh routing in an ambient namespace has no waypoint: ambient pods would ignore the split', () => {
    // GIVEN the website's namespace in the ambient mesh and mesh routing without a waypoint
    const { c, manifests } = release({ stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(10) }, { mesh: true });
    new MeshNamespace(c, 'ns', { name: 'default', enrollment: MeshEnrollment.ambient() });
    // THEN
    expect(manifests).toThrow('ERROR mesh-route-without-waypoint HTTPRoute default/website-mesh: routes in-mesh calls to Service default/website');
    // AND with a waypoint it synthesizes
    const withWaypoint = release({ stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(10) }, { mesh: true, waypoint: 'waypoint' });
    new MeshNamespace(withWaypoint.c, 'ns', { name: 'default', enrollment: MeshEnrollment.ambient() });
    expect(withWaypoint.manifests().map((m) => m.kind)).toContain('HTTPRoute');
  });

  test('fails synthesis if a hand edit sends the HTTPRoute to a Service that does not exist: the Gateway API routes are verified too', () => {
    // GIVEN a release whose HTTPRoute is edited to send the canary's share to a Service no chart has
    const { c, manifests } = release({ stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20) });
    const route = c.node.findAll().find((x) => ApiObject.isApiObject(x) && x.kind === 'HTTPRoute')! as ApiObject;
    route.addJsonPatch(JsonPatch.replace('/spec/rules/0/backendRefs/1/name', 'website-v9'));
    // WHEN / THEN
    expect(() => manifests()).toThrow(/mesh verification of chart "test" failed:\n {2}ERROR gateway-api-unknown-backend HTTPRoute default\/website: .*website-v9/);
  });

  test('near miss: the same release without the edit synthesizes', () => {
    const { manifests } = release({ stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20) });
    expect(find(manifests(), 'HTTPRoute', 'website').spec.rules[0].backendRefs.map((b: { name: string }) => b.name)).toEqual(['website-v2', 'website-v1']);
  });

  test('default output: one Service per version selecting app and version, no DestinationRule, every request to stable\'s Service', () => {
    // GIVEN / WHEN
    const { release: r, manifests } = release({ stable: 'v1' });
    // THEN
    const all = manifests();
    expect(allSchemaErrors(all)).toEqual([]);
    expect(ofKind(all, 'DestinationRule')).toEqual([]);
    expect(r.destinationRule).toBeUndefined();
    expect([...r.versionServices.keys()]).toEqual(['v1', 'v2']);
    const v2 = find(all, 'Service', 'website-v2');
    expect(v2).toMatchSnapshot();
    expect(v2.spec.selector).toEqual({ app: 'website', version: 'v2' });
    expect(v2.spec.ports).toEqual(find(all, 'Service', 'website').spec.ports);
    expect(find(all, 'HTTPRoute', 'website').spec.rules).toEqual([{ backendRefs: [{ name: 'website-v1', port: 80 }] }]);
  });

  test('the tutorial\'s last step: header qa: canary-test to the canary, then 20/80', () => {
    const { manifests } = release({ stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'canary-test')], canaryWeight: Weight.percent(20) });
    const all = manifests();
    expect(allSchemaErrors(all)).toEqual([]);
    expect(find(all, 'HTTPRoute', 'website').spec.rules).toEqual([
      { matches: [{ headers: [{ name: 'qa', type: 'Exact', value: 'canary-test' }] }], backendRefs: [{ name: 'website-v2', port: 80 }] },
      { backendRefs: [{ name: 'website-v2', port: 80, weight: 20 }, { name: 'website-v1', port: 80, weight: 80 }] },
    ]);
  });

  test('sticky sessions, mirroring and a timeout validate against the v1.5.1 schemas', () => {
    const { manifests } = release({
      stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20), stickySession: { maxAge: Duration.hours(1) }, mirrorToCanary: Percentage.of(10), timeout: Duration.seconds(5),
    });
    const all = manifests();
    expect(allSchemaErrors(all)).toEqual([]);
    const rules = find(all, 'HTTPRoute', 'website').spec.rules;
    expect(rules).toHaveLength(3);
    expect(rules[1].filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'website-v2', port: 80 }, percent: 10 } }]);
    expect(rules.every((rule: any) => rule.timeouts.request === '5s')).toBe(true);
  });

  test('mesh with MeshRouting.STABLE_ONLY: the Gateway\'s route splits, the in-mesh route goes to stable only', () => {
    const { manifests } = release({ stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20), meshRouting: MeshRouting.STABLE_ONLY }, { mesh: true });
    const all = manifests();
    expect(allSchemaErrors(all)).toEqual([]);
    expect(find(all, 'HTTPRoute', 'website').spec.rules).toEqual([
      { backendRefs: [{ name: 'website-v2', port: 80, weight: 20 }, { name: 'website-v1', port: 80, weight: 80 }] },
    ]);
    expect(find(all, 'HTTPRoute', 'website-mesh').spec.rules).toEqual([{ backendRefs: [{ name: 'website-v1', port: 80 }] }]);
  });

  test('mesh with the same routing: the in-mesh route carries the same rules', () => {
    const { manifests } = release({ stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20) }, { mesh: true });
    const all = manifests();
    expect(find(all, 'HTTPRoute', 'website-mesh').spec.rules).toEqual(find(all, 'HTTPRoute', 'website').spec.rules);
  });

  test('waypoint: every version\'s Service is labelled too', () => {
    const { manifests } = release({ stable: 'v1' }, { mesh: true, waypoint: 'waypoint' });
    const all = manifests();
    for (const name of ['website', 'website-v1', 'website-v2']) {
      expect(find(all, 'Service', name).metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
    }
  });

  describe('the same release under both APIs', () => {
    /** Each rule as [number of matches, backends with weights and cookies, mirror, timeout], whichever API wrote it. */
    function istioShape(vs: any): unknown[] {
      return vs.spec.http.map((rule: any) => [
        (rule.match ?? []).length,
        rule.route.map((r: any) => [`website-${r.destination.subset}`, r.weight, r.headers?.response?.add?.['set-cookie']]),
        rule.mirror !== undefined ? [`website-${rule.mirror.subset}`, rule.mirrorPercentage.value] : undefined,
        rule.timeout,
      ]);
    }
    function gatewayApiShape(route: any): unknown[] {
      return route.spec.rules.map((rule: any) => [
        (rule.matches ?? []).length,
        rule.backendRefs.map((b: any) => [b.name, b.weight, b.filters?.[0]?.responseHeaderModifier?.add?.[0]?.value]),
        rule.filters !== undefined ? [rule.filters[0].requestMirror.backendRef.name, rule.filters[0].requestMirror.percent] : undefined,
        rule.timeouts?.request,
      ]);
    }
    const cases: Array<[string, ReleaseOptions]> = [
      ['stable only', { stable: 'v1' }],
      ['header match and weight', { stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'canary-test')], canaryWeight: Weight.percent(20) }],
      ['all to the canary', { stable: 'v1', canary: 'v2', canaryWeight: Weight.ALL }],
      ['shadowing only', { stable: 'v1', canary: 'v2', mirrorToCanary: Percentage.of(30) }],
      ['sticky with mirror and timeout', {
        stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(10), stickySession: { maxAge: Duration.minutes(30) }, mirrorToCanary: Percentage.of(50), timeout: Duration.seconds(3),
      }],
    ];

    test.each(cases)('%s: the HTTPRoute has the VirtualService\'s rules, in the same order, to the same versions', (_, options) => {
      // GIVEN
      const istio = Testing.chart();
      const website = new Website(istio, 'site', { serviceName: 'website', versions: ['v1', 'v2'].map((name) => ({ name, image: `img:${name}` })) });
      const entry = new IstioEntry(istio, 'entry', { website, virtualServiceName: 'website', hosts: ['www.example.com'] });
      new CanaryRelease(istio, 'release', { website, entry, ...options });
      // WHEN
      const viaIstio = istioShape(find(synth(istio), 'VirtualService', 'website'));
      const viaGatewayApi = gatewayApiShape(find(release(options).manifests(), 'HTTPRoute', 'website'));
      // THEN
      expect(viaGatewayApi).toEqual(viaIstio);
    });
  });

  describe('refusals: each names the feature, the API and the alternative', () => {
    const API = 'is not supported with the Gateway API v1.5.1 standard channel';
    const ISTIO = 'use api: TrafficApi.ISTIO on the IstioEntry, which renders it as Istio\'s own objects';

    test('fails if retries are asked for', () => {
      expect(() => release({ stable: 'v1', retries: { attempts: 3 } })).toThrow(
        `retries ${API} (HTTPRoute has no retry field in the standard channel (only in the experimental one)); ${ISTIO}`);
    });

    test('fails if a fault is injected', () => {
      expect(() => release({ stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'x')], canaryFault: { abort: { httpStatus: 503, percentage: Percentage.of(10) } } })).toThrow(
        `canaryFault ${API} (HTTPRoute has no fault injection); ${ISTIO}`);
    });

    test('fails if a traffic policy is given', () => {
      expect(() => release({ stable: 'v1', trafficPolicy: { outlierDetection: {} } })).toThrow(
        `trafficPolicy ${API} (connection pools and outlier detection are DestinationRule settings, and the Gateway API has no such object); ${ISTIO}`);
    });

    test('fails if version traffic policies are given', () => {
      expect(() => release({ stable: 'v1', versionTrafficPolicies: { v2: { outlierDetection: {} } } })).toThrow(
        `versionTrafficPolicies ${API} (connection pools and outlier detection are DestinationRule settings, and the Gateway API has no such object); ${ISTIO}`);
    });

    test('fails if destinationRuleName is given', () => {
      expect(() => release({ stable: 'v1', destinationRuleName: 'website' })).toThrow(
        `destinationRuleName ${API} (the HTTPRoutes send to one Service per version, not to DestinationRule subsets); leave destinationRuleName out`);
    });

    test('fails if a canary match needs a header to be absent', () => {
      expect(() => release({ stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.withoutHeader('x-internal')] })).toThrow(
        `canaryMatches[0] withoutHeader ${API} (HTTPRoute matches have no negative header condition); ${ISTIO}`);
    });

    test('fails if a canary match is a path prefix', () => {
      expect(() => release({ stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'x'), RequestMatch.uri(StringMatch.prefix('/api'))] })).toThrow(
        `canaryMatches[1] uri prefix ${API}`);
    });

    test('fails if there are more canary matches than an HTTPRoute rule holds', () => {
      const canaryMatches = Array.from({ length: 65 }, (_, i) => RequestMatch.header('qa', `tester-${i}`));
      expect(() => release({ stable: 'v1', canary: 'v2', canaryMatches })).toThrow(
        `canaryMatches with 65 matches ${API} (an HTTPRoute rule holds at most 64); use fewer, broader matches, or ${ISTIO}`);
    });

    test('fails if a canary match has more header conditions than an HTTPRouteMatch holds', () => {
      let match = RequestMatch.header('h0', 'x');
      for (let i = 1; i <= 16; i++) {
        match = match.andHeader(`h${i}`, 'x');
      }
      expect(() => release({ stable: 'v1', canary: 'v2', canaryMatches: [match] })).toThrow(
        `canaryMatches[0] with 17 header conditions ${API} (an HTTPRouteMatch holds at most 16); split the conditions over fewer, or ${ISTIO}`);
    });

    test('fails if HTTPRoute precedence would reorder the rules: a query-only canary match with sticky sessions', () => {
      expect(() => release({ stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.queryParam('canary', '1')], canaryWeight: Weight.percent(20), stickySession: { maxAge: Duration.hours(1) } })).toThrow(
        `the match "query parameter canary exactly "1"" ${API} (HTTPRoute ranks matches by path`);
    });

    test('a refused release leaves the entry free and adds no object', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'bad', { website, entry, stable: 'v1', retries: { attempts: 1 } })).toThrow('retries');
      new CanaryRelease(c, 'good', { website, entry, stable: 'v1' });
      expect(ofKind(synth(c), 'Service').map((s) => s.metadata.name)).toEqual(['website', 'website-v1', 'website-v2']);
    });

    test('fails at synthesis if a version is added after the release, as it has no Service', () => {
      const { c, website, entry } = setup();
      new CanaryRelease(c, 'release', { website, entry, stable: 'v1' });
      website.addVersion({ name: 'v3', image: 'img:v3' });
      expect(() => synth(c)).toThrow('version "v3" was added to the website after the release, so it has no Service for the Gateway API routes to send to; add every version before creating the CanaryRelease');
    });

    describe('the release\'s namespace', () => {
      /** A website in chart "shop" (namespace shop) and an entry and release in chart "edge". */
      function twoCharts(edgeNamespace: string) {
        const app = Testing.app();
        const shop = new Chart(app, 'shop', { namespace: 'shop' });
        const edge = new Chart(app, 'edge', { namespace: edgeNamespace });
        const website = new Website(shop, 'site', { serviceName: 'website', versions: ['v1', 'v2'].map((name) => ({ name, image: `img:${name}` })) });
        const entry = new IstioEntry(edge, 'entry', { website, api: TrafficApi.GATEWAY_API, gatewayName: 'gw', routeName: 'website', hosts: ['www.example.com'] });
        return { shop, edge, website, entry };
      }

      test('fails if the release is in another namespace than its website: the Services of its versions would select no pod', () => {
        // GIVEN a website in namespace shop, and the entry and release in namespace edge
        const { edge, website, entry } = twoCharts('edge');
        // WHEN / THEN
        expect(() => new CanaryRelease(edge, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(10) })).toThrow(
          'the CanaryRelease\'s chart must have its website\'s namespace "shop", got "edge" (chart "edge") for edge/release: the Service it creates for each version (website-<subset>) would select pods in namespace "edge" only, and every request routed to a version would fail with 503; create the release in a chart with namespace "shop"');
      });

      test('near miss: a release in another chart of the website\'s namespace synthesizes, its Services beside the website\'s pods', () => {
        // GIVEN a second chart with the website's namespace
        const { edge, website, entry } = twoCharts('shop');
        // WHEN
        new CanaryRelease(edge, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(10) });
        const all = synth(edge);
        // THEN
        expect(allSchemaErrors(all)).toEqual([]);
        expect(find(all, 'Service', 'website-v2').metadata.namespace).toBe('shop');
      });
    });

    test('fails if a version\'s Service name would not be a DNS-1035 label', () => {
      const c = Testing.chart();
      const website = new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1', subsetName: 'x'.repeat(60) }] });
      const entry = new IstioEntry(c, 'entry', { website, api: TrafficApi.GATEWAY_API });
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1' })).toThrow(
        'the Service name of version "v1" (<service>-<subsetName>) must be a DNS-1035 label');
    });
  });
});
