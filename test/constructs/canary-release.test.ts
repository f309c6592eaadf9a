import { Chart, Duration, Testing } from 'cdk8s';
import { describe, expect, test, vi } from 'vitest';
import { CanaryRelease, IstioEntry, MeshRouting, Percentage, RequestMatch, RetryOn, StringMatch, Website, Weight } from '../../lib';
import { errorsOf, verifyManifests } from '../../lib/mesh/verify';
import { allSchemaErrors, find, ofKind, synth } from '../support/synth';

function setup(versions = ['v1', 'v2']): { c: Chart; website: Website; entry: IstioEntry } {
  const c = Testing.chart();
  const website = new Website(c, 'site', {
    serviceName: 'website',
    versions: versions.map((name) => ({ name, image: `img:${name}`, deploymentName: `web-${name}` })),
  });
  const entry = new IstioEntry(c, 'entry', { website, virtualServiceName: 'vs', gatewayName: 'gw' });
  return { c, website, entry };
}

describe('CanaryRelease', () => {
  test('default output: a DestinationRule with a subset per version, and every request to stable', () => {
    // GIVEN
    const { c, website, entry } = setup();
    // WHEN
    new CanaryRelease(c, 'release', { website, entry, stable: 'v1' });
    // THEN
    const manifests = synth(c);
    const [rule] = ofKind(manifests, 'DestinationRule');
    expect(rule).toMatchSnapshot();
    expect(allSchemaErrors(manifests)).toEqual([]);
    expect(rule.apiVersion).toBe('networking.istio.io/v1');
    expect(rule.metadata.name).toMatch(/^test-release-c8[0-9a-f]{6}$/);
    expect(rule.spec).toEqual({
      host: 'website',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
    expect(find(manifests, 'VirtualService', 'vs').spec.http).toEqual([{ route: [{ destination: { host: 'website', subset: 'v1' } }] }]);
  });

  test('a header match sends matching requests to the canary on the entry\'s VirtualService, no second VirtualService', () => {
    // GIVEN
    const { c, website, entry } = setup();
    // WHEN
    new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'canary-test')] });
    // THEN
    const manifests = synth(c);
    expect(ofKind(manifests, 'VirtualService')).toHaveLength(1);
    expect(find(manifests, 'VirtualService', 'vs').spec.http).toEqual([
      { match: [{ headers: { qa: { exact: 'canary-test' } } }], route: [{ destination: { host: 'website', subset: 'v2' } }] },
      { route: [{ destination: { host: 'website', subset: 'v1' } }] },
    ]);
    expect(allSchemaErrors(manifests)).toEqual([]);
  });

  test('a weight splits traffic between canary and stable', () => {
    const { c, website, entry } = setup();
    new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20) });
    const manifests = synth(c);
    expect(find(manifests, 'VirtualService', 'vs').spec.http).toEqual([{
      route: [
        { destination: { host: 'website', subset: 'v2' }, weight: 20 },
        { destination: { host: 'website', subset: 'v1' }, weight: 80 },
      ],
    }]);
    expect(allSchemaErrors(manifests)).toEqual([]);
  });

  test('subset names and labels follow the versions\' options, and the DestinationRule name can be set', () => {
    // GIVEN
    const c = Testing.chart();
    const website = new Website(c, 'site', { serviceName: 'website' });
    website.addVersion({ name: 'v1', image: 'img:1', label: 'website-version-1', subsetName: 'version-1' });
    const entry = new IstioEntry(c, 'entry', { website });
    // WHEN
    const release = new CanaryRelease(c, 'release', { website, entry, stable: 'v1', destinationRuleName: 'website' });
    // THEN
    expect(find(synth(c), 'DestinationRule', 'website').spec.subsets).toEqual([{ name: 'version-1', labels: { version: 'website-version-1' } }]);
    expect(release.subsetNames).toEqual(['version-1']);
  });

  test('a version added after the release still gets its subset', () => {
    // GIVEN
    const { c, website, entry } = setup(['v1']);
    new CanaryRelease(c, 'release', { website, entry, stable: 'v1', destinationRuleName: 'dr' });
    // WHEN
    website.addVersion({ name: 'v3', image: 'img:3' });
    // THEN
    expect(find(synth(c), 'DestinationRule', 'dr').spec.subsets.map((s: { name: string }) => s.name)).toEqual(['v1', 'v3']);
  });

  test('every subset the VirtualService routes to is defined by the DestinationRule', () => {
    const { c, website, entry } = setup(['v1', 'v2', 'v3']);
    new CanaryRelease(c, 'release', {
      website, entry, stable: 'v3', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'x')], canaryWeight: Weight.percent(50), destinationRuleName: 'dr',
    });
    const manifests = synth(c);
    const defined = find(manifests, 'DestinationRule', 'dr').spec.subsets.map((s: { name: string }) => s.name);
    const routed = find(manifests, 'VirtualService', 'vs').spec.http.flatMap((r: any) => r.route.map((d: any) => d.destination.subset));
    expect(new Set(routed)).toEqual(new Set(['v2', 'v3']));
    for (const subset of routed) {
      expect(defined).toContain(subset);
    }
  });

  describe('bad input', () => {
    test('fails if the stable version is not a version of the website', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v9' }))
        .toThrow('stable must be a version of the website ("v1", "v2"), got "v9"; add it with website.addVersion() first');
    });

    test('fails if the canary version is not a version of the website', () => {
      const { c, website, entry } = setup(['v1']);
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2' }))
        .toThrow('canary must be a version of the website ("v1"), got "v2"');
    });

    test('fails if the release is in another namespace than its website: its DestinationRule would name another host', () => {
      // GIVEN a website and its entry in namespace shop, and a chart of namespace edge
      const app = Testing.app();
      const shop = new Chart(app, 'shop', { namespace: 'shop' });
      const website = new Website(shop, 'site', { serviceName: 'website', versions: ['v1', 'v2'].map((name) => ({ name, image: `img:${name}` })) });
      const entry = new IstioEntry(shop, 'entry', { website });
      // WHEN / THEN
      expect(() => new CanaryRelease(new Chart(app, 'edge', { namespace: 'edge' }), 'release', { website, entry, stable: 'v1' })).toThrow(
        'the CanaryRelease\'s chart must have its website\'s namespace "shop", got "edge" (chart "edge") for edge/release: its DestinationRule would name host "website" in namespace "edge", not the website\'s Service, and every request routed to a version would fail with 503; create the release in a chart with namespace "shop"');
    });

    test('near miss: a chart without namespace is the default namespace, the same as a chart of namespace default', () => {
      // GIVEN a website in a chart without namespace
      const app = Testing.app();
      const plain = new Chart(app, 'plain');
      const website = new Website(plain, 'site', { serviceName: 'website', versions: ['v1', 'v2'].map((name) => ({ name, image: `img:${name}` })) });
      const entry = new IstioEntry(plain, 'entry', { website });
      // WHEN
      const r = new CanaryRelease(new Chart(app, 'named', { namespace: 'default' }), 'release', { website, entry, stable: 'v1' });
      // THEN
      expect(r.subsetNames).toEqual(['v1', 'v2']);
    });

    test('fails if stable and canary are the same version', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v1' }))
        .toThrow('canary must differ from stable, got "v1" for both');
    });

    test('fails if traffic is sent to a canary that is not named', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canaryWeight: Weight.percent(20) }))
        .toThrow('canary must be set when canaryMatches or canaryWeight send traffic to it, got canaryWeight 20% and 0 canaryMatches');
    });

    test('fails if the stable version has 0 replicas while it takes requests', () => {
      const { c, website, entry } = setup([]);
      website.addVersion({ name: 'v1', image: 'img:1', replicas: 0 });
      website.addVersion({ name: 'v2', image: 'img:2' });
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20) }))
        .toThrow('stable version "v1" must have replicas, got 0: it takes 80% of the requests, and each fails with 503 while no pod serves them; give it replicas, or route to a version that has some');
    });

    test('fails if the canary has 0 replicas while a weight or a match routes to it', () => {
      const { c, website, entry } = setup(['v1']);
      website.addVersion({ name: 'v2', image: 'img:2', replicas: 0 });
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20), canaryMatches: [RequestMatch.header('qa', 'x')] }))
        .toThrow('canary version "v2" must have replicas, got 0: canaryWeight 20% and 1 canaryMatches route requests to it, and each fails with 503 while no pod serves them; give it replicas, or leave canaryWeight and canaryMatches out until it has some');
      expect(() => new CanaryRelease(c, 'other', { website, entry, stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'x')] }))
        .toThrow('canary version "v2" must have replicas, got 0: 1 canaryMatches route requests to it');
    });

    test('a version with 0 replicas that takes no requests is allowed: a canary without traffic, or a stable version the canary has replaced', () => {
      // GIVEN
      const { c, website, entry } = setup([]);
      website.addVersion({ name: 'v1', image: 'img:1', replicas: 0, deploymentName: 'web-v1' });
      website.addVersion({ name: 'v2', image: 'img:2', deploymentName: 'web-v2' });
      website.addVersion({ name: 'v3', image: 'img:3', replicas: 0, deploymentName: 'web-v3' });
      // WHEN
      new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(100) });
      const quiet = setup([]);
      quiet.website.addVersion({ name: 'v1', image: 'img:1' });
      quiet.website.addVersion({ name: 'v2', image: 'img:2', replicas: 0 });
      new CanaryRelease(quiet.c, 'release', { website: quiet.website, entry: quiet.entry, stable: 'v1', canary: 'v2' });
      // THEN
      expect(find(synth(c), 'Deployment', 'web-v1').spec.replicas).toBe(0);
      expect(ofKind(synth(quiet.c), 'DestinationRule')).toHaveLength(1);
    });

    test('fails if a canary match is not a RequestMatch', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', {
        website, entry, stable: 'v1', canary: 'v2', canaryMatches: [{ headers: { qa: 'x' } } as unknown as RequestMatch],
      })).toThrow('canaryMatches[0] must be a RequestMatch (e.g. RequestMatch.header(\'qa\', \'canary-test\')), got {"headers":{"qa":"x"}}');
    });

    test('fails if the weight is a bare number', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: 20 as unknown as Weight }))
        .toThrow('canaryWeight must be a Weight (e.g. Weight.percent(20)), got 20');
    });

    test('fails if the entry routes to another website', () => {
      const { c, website } = setup();
      const other = new Website(c, 'other', { serviceName: 'other', versions: [{ name: 'v1', image: 'img' }] });
      const entry = new IstioEntry(c, 'other-entry', { website: other });
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1' }))
        .toThrow('entry must route to the release\'s website: test/other-entry routes to test/other, not test/site');
    });

    test('fails if a second release routes the same entry', () => {
      const { c, website, entry } = setup();
      new CanaryRelease(c, 'release', { website, entry, stable: 'v1' });
      expect(() => new CanaryRelease(c, 'again', { website, entry, stable: 'v2' }))
        .toThrow('entry must be routed by one release only: test/again cannot route test/entry, already routed by test/release');
    });

    test('fails if the DestinationRule name is not a DNS-1123 subdomain', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', destinationRuleName: 'Website' }))
        .toThrow('destinationRuleName must be a DNS-1123 subdomain');
    });
  });
});

describe('CanaryRelease traffic policy', () => {
  function meshSetup(): { c: Chart; website: Website; entry: IstioEntry } {
    const c = Testing.chart();
    const website = new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1' }, { name: 'v2', image: 'img:2' }] });
    const entry = new IstioEntry(c, 'entry', { website, hosts: ['www.example.com'], mesh: true, gatewayName: 'gw', virtualServiceName: 'vs' });
    return { c, website, entry };
  }

  function valid(c: Chart) {
    const manifests = synth(c);
    expect(allSchemaErrors(manifests)).toEqual([]);
    expect(errorsOf(verifyManifests(manifests))).toEqual([]);
    return manifests;
  }

  test('mirrors a share of stable traffic to the canary', () => {
    const { c, website, entry } = setup();
    new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', mirrorToCanary: Percentage.of(10) });
    expect(find(valid(c), 'VirtualService', 'vs').spec.http).toEqual([{
      route: [{ destination: { host: 'website', subset: 'v1' } }],
      mirror: { host: 'website', subset: 'v2' },
      mirrorPercentage: { value: 10 },
    }]);
  });

  test('sticky sessions assign each user a version once: both versions set the cookie, and rules keep each user on theirs', () => {
    // GIVEN
    const { c, website, entry } = setup();
    // WHEN
    new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20), stickySession: { maxAge: Duration.hours(1) } });
    // THEN
    const http = find(valid(c), 'VirtualService', 'vs').spec.http;
    expect(http.map((r: any) => [r.match?.[0].headers.cookie.regex, r.route.map((d: any) => [d.destination.subset, d.headers?.response.add['set-cookie']])])).toEqual([
      ['^(.*?;\\s*)?(canary=v2)(;.*)?$', [['v2', undefined]]],
      ['^(.*?;\\s*)?(canary=v1)(;.*)?$', [['v1', undefined]]],
      [undefined, [['v2', 'canary=v2; Max-Age=3600; Path=/'], ['v1', 'canary=v1; Max-Age=3600; Path=/']]],
    ]);
  });

  test('a sticky cookie is Secure when the entry serves HTTPS only, and not when it also serves plain HTTP', () => {
    const cookies = (tls: boolean, redirectHttp?: boolean) => {
      const c = Testing.chart();
      const website = new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:v1' }, { name: 'v2', image: 'img:v2' }] });
      const entry = new IstioEntry(c, 'entry', { website, hosts: ['www.example.com'], gatewayName: 'gw', virtualServiceName: 'vs', ...(tls ? { tls: { credentialName: 'cert', redirectHttp } } : {}) });
      new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20), stickySession: { maxAge: Duration.minutes(1) } });
      return find(synth(c), 'VirtualService', 'vs').spec.http.at(-1).route.map((d: any) => d.headers.response.add['set-cookie']);
    };
    expect(cookies(true)).toEqual(['canary=v2; Max-Age=60; Path=/; Secure', 'canary=v1; Max-Age=60; Path=/; Secure']);
    expect(cookies(true, false)).toEqual(['canary=v2; Max-Age=60; Path=/; Secure', 'canary=v1; Max-Age=60; Path=/; Secure']);
    expect(cookies(false)).toEqual(['canary=v2; Max-Age=60; Path=/', 'canary=v1; Max-Age=60; Path=/']);
  });

  test('with sticky sessions, a mirror copies only requests of users kept on stable', () => {
    const { c, website, entry } = setup();
    new CanaryRelease(c, 'release', {
      website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20), stickySession: { maxAge: Duration.hours(1) }, mirrorToCanary: Percentage.of(10),
    });
    const manifests = valid(c);
    const http = find(manifests, 'VirtualService', 'vs').spec.http;
    expect(http.filter((r: any) => r.mirror !== undefined).map((r: any) => r.route)).toEqual([[{ destination: { host: 'website', subset: 'v1' } }]]);
    expect(verifyManifests(manifests).filter((f) => f.code.startsWith('mirror'))).toEqual([]);
  });

  test('warns at synthesis when outlier detection can eject a one-pod canary, and not with two pods at 50%', () => {
    const warnings = (replicas: number, maxEjectionPercent: number) => {
      const c = Testing.chart();
      const website = new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:v1', replicas: 4 }, { name: 'v2', image: 'img:v2', replicas }] });
      const entry = new IstioEntry(c, 'entry', { website, gatewayName: 'gw', virtualServiceName: 'vs' });
      new CanaryRelease(c, 'release', {
        website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(10), destinationRuleName: 'website',
        versionTrafficPolicies: { v2: { outlierDetection: { consecutive5xxErrors: 2, maxEjectionPercent } } },
      });
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        synth(c);
        return stderr.mock.calls.map(([text]) => String(text)).filter((t) => t.includes('outlier-ejects-only-pod'));
      } finally {
        stderr.mockRestore();
      }
    };
    expect(warnings(1, 100)).toEqual([
      'WARNING outlier-ejects-only-pod DestinationRule default/website: subset "v2" runs one pod and its outlierDetection has maxEjectionPercent 100: after 2 consecutive 5xx the pod is ejected, and every request to the subset gets 503 "no healthy upstream" for 30s or more (Istio disables Envoy\'s panic threshold); run at least 2 pods with maxEjectionPercent 50 or less, or keep maxEjectionPercent below 100\n',
    ]);
    expect(warnings(2, 50)).toEqual([]);
  });

  test('values at the edges of what the constructs accept pass Istio\'s webhook rules', () => {
    // GIVEN the smallest shares, the longest regex, retries off and a cookie name of unusual token characters
    const { c, website, entry } = setup();
    new CanaryRelease(c, 'release', {
      website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(1),
      canaryMatches: [RequestMatch.header('x-team', StringMatch.regex('a'.repeat(1024))), RequestMatch.queryParam('beta', StringMatch.prefix('o'))],
      stickySession: { cookieName: "c!#$&'*+-.^_`|~", maxAge: Duration.seconds(1) },
      mirrorToCanary: Percentage.of(0.0001),
      retries: { attempts: 0 },
      timeout: Duration.millis(1),
      canaryFault: { abort: { httpStatus: 599, percentage: Percentage.of(0.0001) }, delay: { fixedDelay: Duration.millis(1), percentage: Percentage.of(100) } },
    });
    // WHEN
    const manifests = valid(c);
    // THEN nothing is rejected, nor copies nothing
    expect(verifyManifests(manifests).filter((f) => ['rejected-by-istio', 'mirror-copies-nothing', 'mirror-copies-served-requests'].includes(f.code))).toEqual([]);
  });

  test('under STABLE_ONLY, in-mesh calls are never mirrored', () => {
    const c = Testing.chart();
    const website = new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:v1' }, { name: 'v2', image: 'img:v2' }] });
    const entry = new IstioEntry(c, 'entry', { website, hosts: ['www.example.com'], mesh: true, gatewayName: 'gw', virtualServiceName: 'vs' });
    new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', mirrorToCanary: Percentage.of(10), meshRouting: MeshRouting.STABLE_ONLY });
    const http = find(valid(c), 'VirtualService', 'vs').spec.http;
    expect(http.map((r: any) => [r.match?.[0].gateways, r.mirrorPercentage?.value])).toEqual([[['gw'], 10], [undefined, undefined]]);
  });

  test('timeout, retries and a fault on the canary route', () => {
    const { c, website, entry } = setup();
    new CanaryRelease(c, 'release', {
      website, entry, stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'canary-test')],
      timeout: Duration.seconds(5),
      retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE] },
      canaryFault: { delay: { fixedDelay: Duration.millis(500), percentage: Percentage.of(50) } },
    });
    const http = find(valid(c), 'VirtualService', 'vs').spec.http;
    expect(http[0]).toMatchObject({
      timeout: '5s', retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure' },
      fault: { delay: { fixedDelay: '500ms', percentage: { value: 50 } } },
    });
    expect(http[1].fault).toBeUndefined();
    expect(http[1].timeout).toBe('5s');
  });

  test('outlier detection and connection limits on the DestinationRule, globally and per version', () => {
    const { c, website, entry } = setup();
    new CanaryRelease(c, 'release', {
      website, entry, stable: 'v1', canary: 'v2', destinationRuleName: 'dr',
      trafficPolicy: { connectionPool: { maxConnections: 100 } },
      versionTrafficPolicies: { v2: { outlierDetection: { consecutive5xxErrors: 1, interval: Duration.seconds(5), baseEjectionTime: Duration.minutes(1) } } },
    });
    const dr = find(valid(c), 'DestinationRule', 'dr');
    expect(dr.spec.trafficPolicy).toEqual({ connectionPool: { tcp: { maxConnections: 100 } } });
    expect(dr.spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1, interval: '5s', baseEjectionTime: '60s', maxEjectionPercent: 10 } } },
    ]);
  });

  test('in-mesh calls follow the same rules by default, or stay on stable when asked', () => {
    const same = meshSetup();
    new CanaryRelease(same.c, 'release', { website: same.website, entry: same.entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(10) });
    expect(find(valid(same.c), 'VirtualService', 'vs').spec.http.map((r: any) => r.match)).toEqual([undefined]);

    const stable = meshSetup();
    new CanaryRelease(stable.c, 'release', { website: stable.website, entry: stable.entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(10), meshRouting: MeshRouting.STABLE_ONLY });
    const http = find(valid(stable.c), 'VirtualService', 'vs').spec.http;
    expect(http.map((r: any) => [r.match, r.route.map((d: any) => d.destination.subset)])).toEqual([
      [[{ gateways: ['gw'] }], ['v2', 'v1']],
      [undefined, ['v1']],
    ]);
  });

  describe('bad input', () => {
    test('fails if mirroring has no canary or a bare number', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', mirrorToCanary: Percentage.of(5) })).toThrow('mirrorToCanary needs a canary to mirror to: set canary');
      const s2 = setup();
      expect(() => new CanaryRelease(s2.c, 'release', { website: s2.website, entry: s2.entry, stable: 'v1', canary: 'v2', mirrorToCanary: 5 as never }))
        .toThrow('mirrorToCanary must be a Percentage (e.g. Percentage.of(10)), got 5');
    });

    test('fails if a mirror would also copy the canary\'s own requests, or has no stable traffic to copy', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20), mirrorToCanary: Percentage.of(10) }))
        .toThrow('mirrorToCanary copies only requests that stable serves, but with canaryWeight 20% and no stickySession no rule carries only those: Istio would also copy the canary\'s own requests (20% x 10% = 2% of all requests run twice on the canary); set stickySession, or a canaryWeight of 0');
      const s2 = setup();
      expect(() => new CanaryRelease(s2.c, 'release', { website: s2.website, entry: s2.entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.ALL, mirrorToCanary: Percentage.of(10) }))
        .toThrow('mirrorToCanary copies stable traffic, but canaryWeight 100% leaves none to copy: remove mirrorToCanary');
    });

    test('fails if a mirror percentage is one Istio turns into 0 millionths, copying nothing', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', mirrorToCanary: Percentage.of(0.00005) }))
        .toThrow('mirrorToCanary must be at least 0.0001% (Istio counts mirrored requests in millionths and copies nothing below that), got 0.00005%');
      const s2 = setup();
      expect(() => new CanaryRelease(s2.c, 'release', { website: s2.website, entry: s2.entry, stable: 'v1', canary: 'v2', mirrorToCanary: Percentage.of(0) }))
        .toThrow('mirrorToCanary must be at least 0.0001%');
    });

    test('fails on a sticky cookie name with "%", which Envoy would read as a variable in Set-Cookie', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(5), stickySession: { cookieName: 'a%b', maxAge: Duration.hours(1) } }))
        .toThrow('stickySession.cookieName must not contain "%" (Envoy reads %...% in the Set-Cookie header as a variable), got "a%b"');
    });

    test('fails if a mirror or a weight targets an unknown version', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v9', mirrorToCanary: Percentage.of(5) }))
        .toThrow('canary must be a version of the website ("v1", "v2"), got "v9"');
    });

    test('fails if a fault would hit stable traffic', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', {
        website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(10), canaryFault: { abort: { httpStatus: 500, percentage: Percentage.of(1) } },
      })).toThrow('canaryFault needs a route that only the canary takes, or it would hit stable traffic too');
    });

    test('fails on a zero or negative duration', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', timeout: Duration.seconds(0) })).toThrow('timeout must be a whole number of milliseconds, at least 1ms and at most 2562047h (about 292 years, the longest Istio holds), got 0ms');
      expect(() => Duration.seconds(-1)).toThrow('Duration amounts cannot be negative');
      const s2 = setup();
      expect(() => new CanaryRelease(s2.c, 'release', { website: s2.website, entry: s2.entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(5), stickySession: { maxAge: Duration.millis(500) } }))
        .toThrow('stickySession.maxAge must be a Duration of whole seconds, at least 1 second, got 500ms');
    });

    test('fails on a sticky session without a canary or with a bad cookie name', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', stickySession: { maxAge: Duration.hours(1) } })).toThrow('stickySession needs a canary: set canary');
      const s2 = setup();
      expect(() => new CanaryRelease(s2.c, 'release', { website: s2.website, entry: s2.entry, stable: 'v1', canary: 'v2', stickySession: { cookieName: 'a b', maxAge: Duration.hours(1) } }))
        .toThrow('cookie name must be a cookie token');
    });

    test('fails on a per-version policy for an unknown version', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', versionTrafficPolicies: { v3: { connectionPool: { maxConnections: 1 } } } }))
        .toThrow('versionTrafficPolicies key must be a version of the website ("v1", "v2"), got "v3"');
    });

    test('fails on mesh routing for an entry not bound to mesh', () => {
      const { c, website, entry } = setup();
      expect(() => new CanaryRelease(c, 'release', { website, entry, stable: 'v1', canary: 'v2', meshRouting: MeshRouting.STABLE_ONLY }))
        .toThrow('meshRouting applies to in-mesh calls, but the entry is not bound to mesh');
    });
  });
});
