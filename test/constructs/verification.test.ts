import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ApiObject, App, Chart, JsonPatch, Testing, YamlOutputType } from 'cdk8s';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { CanaryRelease, IstioEntry, MeshVerification, RequestMatch, TrafficApi, Website, Weight } from '../../lib';
import { synth } from '../support/synth';

/** Five charts of one site each, in `app`. */
function fiveSites(app: App): Chart[] {
  return [0, 1, 2, 3, 4].map((i) => {
    const chart = new Chart(app, `site${i}`);
    const website = new Website(chart, 'website', { serviceName: `web${i}`, versions: [{ name: 'v1', image: 'img:1' }] });
    new IstioEntry(chart, 'entry', { website, hosts: [`site${i}.example.com`] });
    return chart;
  });
}

/** The tutorial's header-route step, with a DestinationRule that lacks version-2, as in its step 4. */
function step4AsWritten(chart: Chart): void {
  const website = new Website(chart, 'website', { serviceName: 'website' });
  website.addVersion({ name: 'version-1', label: 'website-version-1', deploymentName: 'web-v1', image: 'img:1', replicas: 4 });
  website.addVersion({ name: 'version-2', label: 'website-version-2', deploymentName: 'web-v2', image: 'img:2' });
  const entry = new IstioEntry(chart, 'entry', { website, gatewayName: 'website-gateway', virtualServiceName: 'website-virtual-service' });
  const release = new CanaryRelease(chart, 'release', {
    website, entry, destinationRuleName: 'website', stable: 'version-1', canary: 'version-2',
    canaryMatches: [RequestMatch.header('qa', 'canary-test')],
  });
  // A hand edit, as in the tutorial: the DestinationRule loses its version-2 subset.
  ApiObject.of(release.destinationRule!).addJsonPatch(JsonPatch.remove('/spec/subsets/1'));
}

const EXPECTED = 'ERROR IST0101 VirtualService default/website-virtual-service: http rule 1 routes to subset "version-2" of host website.default.svc.cluster.local, but DestinationRule default/website does not define it (it defines "version-1")';

describe('verification at synthesis', () => {
  afterEach(() => vi.restoreAllMocks());

  test('fails Testing.synth on a route to a subset the DestinationRule lacks, naming both objects', () => {
    const chart = new Chart(Testing.app(), 'tutorial', { namespace: 'default' });
    step4AsWritten(chart);
    expect(() => synth(chart)).toThrow('mesh verification of chart "tutorial" failed:\n  ' + EXPECTED);
  });

  test('fails app.synth() the same way', () => {
    const app = Testing.app();
    step4AsWritten(new Chart(app, 'tutorial', { namespace: 'default' }));
    expect(() => app.synth()).toThrow(EXPECTED);
  });

  test('near miss: the same chart without the hand edit synthesizes', () => {
    const chart = new Chart(Testing.app(), 'tutorial', { namespace: 'default' });
    const website = new Website(chart, 'website', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1' }, { name: 'v2', image: 'img:2' }] });
    const entry = new IstioEntry(chart, 'entry', { website });
    new CanaryRelease(chart, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'x')] });
    expect(synth(chart).map((m) => m.kind)).toEqual(['Service', 'Deployment', 'Deployment', 'Gateway', 'VirtualService', 'DestinationRule']);
  });

  test('fails when a version routed to has no pods matching its subset', () => {
    const chart = Testing.chart();
    const website = new Website(chart, 'website', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1' }, { name: 'v2', image: 'img:2' }] });
    const entry = new IstioEntry(chart, 'entry', { website, virtualServiceName: 'vs' });
    const release = new CanaryRelease(chart, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'x')], destinationRuleName: 'dr' });
    ApiObject.of(release.destinationRule!).addJsonPatch(JsonPatch.replace('/spec/subsets/1/labels/version', 'v3'));
    expect(() => synth(chart)).toThrow('ERROR IST0173 DestinationRule default/dr: subset "v2" selects no pods');
  });

  test('verifies again on the next synthesis, seeing changes made since', () => {
    // GIVEN a chart that synthesizes
    const chart = Testing.chart();
    const website = new Website(chart, 'website', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1' }, { name: 'v2', image: 'img:2' }] });
    const entry = new IstioEntry(chart, 'entry', { website, virtualServiceName: 'vs' });
    const release = new CanaryRelease(chart, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryMatches: [RequestMatch.header('qa', 'x')], destinationRuleName: 'dr' });
    expect(synth(chart)).toHaveLength(6);
    // WHEN the DestinationRule loses the canary's subset afterwards
    ApiObject.of(release.destinationRule!).addJsonPatch(JsonPatch.remove('/spec/subsets/1'));
    // THEN the next synthesis fails
    expect(() => synth(chart)).toThrow('routes to subset "v2"');
  });

  test('fails if two entries of an app take the same host on the same ingress gateway port (IST0145)', () => {
    // GIVEN two sites that both keep the default host "*"
    const app = Testing.app();
    for (let i = 0; i < 2; i++) {
      const chart = new Chart(app, `site${i}`);
      const website = new Website(chart, 'website', { serviceName: `web${i}`, versions: [{ name: 'v1', image: 'img:1' }] });
      new IstioEntry(chart, 'entry', { website });
    }
    // WHEN the app is synthesized THEN the conflict stops it
    expect(() => app.synthYaml()).toThrow(/ERROR IST0145 Gateway default\/site0-entry-gateway-[0-9a-f]+: server 1 \(port 80, hosts \*\) has the same selector \(istio=ingressgateway\), port and overlapping hosts as Gateway default\/site1-entry-gateway/);
  });

  test('verifies an app once per synthesis, however many charts it has', async () => {
    // GIVEN an app of five charts, each with an entry
    const spy = vi.spyOn(await import('../../lib/mesh/verify.js'), 'verifyManifests');
    const outdir = mkdtempSync(join(tmpdir(), 'synth-verification-'));
    const app = new App({ outdir });
    const charts = fiveSites(app);
    // WHEN the app is synthesized, whole or chart by chart
    try {
      app.synthYaml();
      expect(spy).toHaveBeenCalledTimes(1);
      app.synthYaml();
      expect(spy).toHaveBeenCalledTimes(2);
      app.synth();
      expect(spy).toHaveBeenCalledTimes(3);
      expect(readdirSync(app.outdir)).toHaveLength(5);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
    // THEN each synthesis of one chart verifies the app again
    charts.forEach((chart) => synth(chart));
    expect(spy).toHaveBeenCalledTimes(8);
  });

  test('verifies an app of Gateway API charts once per synthesis too: their Gateways and HTTPRoutes tell when they are rendered', async () => {
    // GIVEN an app of three charts whose entries use the Gateway API
    const spy = vi.spyOn(await import('../../lib/mesh/verify.js'), 'verifyManifests');
    const app = Testing.app();
    for (const i of [0, 1, 2]) {
      const chart = new Chart(app, `site${i}`);
      const website = new Website(chart, 'website', { serviceName: `web${i}`, versions: [{ name: 'v1', image: 'img:1' }] });
      new IstioEntry(chart, 'entry', { website, api: TrafficApi.GATEWAY_API, hosts: [`site${i}.example.com`] });
    }
    // WHEN the app is synthesized, THEN it is verified once
    app.synthYaml();
    expect(spy).toHaveBeenCalledTimes(1);
  });

  describe('one rendering per object', () => {
    test('renders each object once per synthesis: the output is what the verification rendered', () => {
      // GIVEN an app of five charts (a Service, a Deployment, a Gateway and a VirtualService each)
      const app = Testing.app();
      fiveSites(app);
      const render = vi.spyOn(ApiObject.prototype, 'toJson');
      // WHEN the whole app is synthesized
      const yaml = app.synthYaml();
      // THEN each object was rendered once, for the verification and the output alike
      expect(render).toHaveBeenCalledTimes(20);
      expect(yaml.match(/^kind: /gm)).toHaveLength(20);
    });

    test('writes the same YAML as without the verification', () => {
      // GIVEN the same app twice, the second with its verification off
      const verified = Testing.app();
      fiveSites(verified);
      const unverified = Testing.app();
      fiveSites(unverified).forEach((chart) => MeshVerification.disable(chart));
      // WHEN both are synthesized, THEN their YAML is the same
      expect(verified.synthYaml()).toEqual(unverified.synthYaml());
    });

    test.each(Object.entries(YamlOutputType).filter((e): e is [string, YamlOutputType] => typeof e[1] === 'number'))(
      'app.synth() with YamlOutputType.%s writes the same files as without the verification', (_, yamlOutputType) => {
        // GIVEN the same app twice, the second with its verification off, each writing to its own temporary folder
        const root = mkdtempSync(join(tmpdir(), 'synth-output-types-'));
        try {
          const written = (verified: boolean): Record<string, string> => {
            const outdir = join(root, verified ? 'verified' : 'unverified');
            const app = new App({ outdir, yamlOutputType });
            const charts = fiveSites(app);
            if (!verified) {
              charts.forEach((chart) => MeshVerification.disable(chart));
            }
            // WHEN each is synthesized
            app.synth();
            return Object.fromEntries(readdirSync(outdir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
              .map((e) => [join(relative(outdir, e.parentPath), e.name), readFileSync(join(e.parentPath, e.name), 'utf8')]));
          };
          // THEN they wrote the same files
          const verified = written(true);
          expect(Object.keys(verified).length).toBeGreaterThan(0);
          expect(verified).toEqual(written(false));
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      });

    test('renders afresh an object changed after a synthesis of another chart', () => {
      // GIVEN an app of which one chart was synthesized alone: the others were rendered for the verification only
      const app = Testing.app();
      const charts = fiveSites(app);
      synth(charts[0]);
      // WHEN a Deployment of another chart changes, in the same turn of the event loop
      const deployment = (charts[1].node.findChild('website') as Website).findVersion('v1')!.deployment;
      deployment.podMetadata.addLabel('team', 'shop');
      // THEN its rendering shows the change
      expect(ApiObject.of(deployment).toJson().spec.template.metadata.labels.team).toBe('shop');
      expect(synth(charts[1]).find((m) => m.kind === 'Deployment')?.spec.template.metadata.labels.team).toBe('shop');
    });
  });

  describe('after a change', () => {
    /** A route in `chart` to a subset that does not exist. */
    function routeToMissingSubset(chart: Chart): void {
      new ApiObject(chart, 'route', {
        apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'to-v9' },
        spec: { hosts: ['web0'], http: [{ route: [{ destination: { host: 'web0', subset: 'v9' } }] }] },
      });
    }

    test('verifies again when the whole app is synthesized a second time', () => {
      // GIVEN an app synthesized once, whole
      const app = Testing.app();
      const charts = fiveSites(app);
      app.synthYaml();
      // WHEN its last chart gets a route to a subset that does not exist
      routeToMissingSubset(charts[4]);
      // THEN the next synthesis fails, whether of the app or of that chart alone
      expect(() => app.synthYaml()).toThrow('mesh verification of chart "site4" failed');
      expect(() => synth(charts[4])).toThrow('routes to subset "v9"');
    });

    test('verifies again when the whole app is synthesized after one of its charts', () => {
      // GIVEN an app of which one chart was synthesized alone
      const app = Testing.app();
      const charts = fiveSites(app);
      synth(charts[0]);
      // WHEN that chart gets a route to a subset that does not exist
      routeToMissingSubset(charts[0]);
      // THEN the app does not synthesize: it fails before writing any chart
      expect(() => app.synth()).toThrow('mesh verification of chart "site0" failed');
      expect(readdirSync(app.outdir)).toEqual([]);
    });

    test('verifies again when a chart without Istio objects was synthesized alone before', () => {
      // GIVEN the website in one chart, its entry and a 20% canary in another
      const app = Testing.app();
      const sites = new Chart(app, 'sites');
      const website = new Website(sites, 'website', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1' }, { name: 'v2', image: 'img:2' }] });
      const routing = new Chart(app, 'routing');
      const entry = new IstioEntry(routing, 'entry', { website });
      new CanaryRelease(routing, 'release', { website, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(20), destinationRuleName: 'dr' });
      // WHEN the website's chart is synthesized alone, then its canary's pods lose their label
      synth(sites);
      ApiObject.of(website.findVersion('v2')!.deployment).addJsonPatch(JsonPatch.replace('/spec/template/metadata/labels/version', 'v3'));
      // THEN the entry's chart does not synthesize
      expect(() => synth(routing)).toThrow('ERROR IST0173 DestinationRule default/dr: subset "v2" selects no pods');
    });
  });

  test('sees objects of other charts of the app: a Service defined in another chart is known', () => {
    // GIVEN the website in one chart and its entry in another
    const app = Testing.app();
    const website = new Website(new Chart(app, 'sites'), 'website', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1' }] });
    const routing = new Chart(app, 'routing');
    new IstioEntry(routing, 'entry', { website });
    // THEN the entry's chart synthesizes: its route's host is found in the other chart
    expect(synth(routing).map((m) => m.kind)).toEqual(['Gateway', 'VirtualService']);
  });

  test('prints warnings to stderr once, and does not fail', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const chart = Testing.chart();
    const website = new Website(chart, 'website', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1' }, { name: 'v2', image: 'img:2', replicas: 0 }] });
    const entry = new IstioEntry(chart, 'entry', { website });
    new CanaryRelease(chart, 'release', { website, entry, stable: 'v1', canary: 'v2', destinationRuleName: 'dr' });
    synth(chart);
    synth(chart);
    const lines = write.mock.calls.map((c) => String(c[0]));
    expect(lines).toEqual([expect.stringMatching(/^WARNING subset-scaled-to-zero DestinationRule default\/dr: subset "v2" selects only Deployment default\/test-website-v2-c8[0-9a-f]{6}, scaled to 0 replicas\n$/)]);
  });

  test('prints each warning once when an app of several charts is synthesized, though cdk8s validates it once per chart', () => {
    // GIVEN three charts, each with a version scaled to zero
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const app = Testing.app();
    for (const i of [0, 1, 2]) {
      const chart = new Chart(app, `site${i}`);
      const website = new Website(chart, 'website', { serviceName: `web${i}`, versions: [{ name: 'v1', image: 'img:1' }, { name: 'v2', image: 'img:2', replicas: 0 }] });
      const entry = new IstioEntry(chart, 'entry', { website, hosts: [`site${i}.example.com`] });
      new CanaryRelease(chart, 'release', { website, entry, stable: 'v1', canary: 'v2', destinationRuleName: `dr${i}` });
    }
    // WHEN
    app.synthYaml();
    // THEN
    const lines = write.mock.calls.map((c) => String(c[0]));
    expect(lines).toEqual([0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^WARNING subset-scaled-to-zero DestinationRule default/dr${i}: `))));
  });

  test('the tutorial app exits 1 with the findings when a stage is built wrong', async () => {
    // The tutorial itself verifies cleanly at every stage: see tutorial.test.ts; here the app
    // wrapper's handling of a verification error is checked.
    const { runApp } = await import('../../apps/run.js');
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const before = process.exitCode;
    runApp(() => {
      const app = new App({ outdir: Testing.app().outdir });
      step4AsWritten(new Chart(app, 'tutorial', { namespace: 'default' }));
      app.synth();
    });
    expect(process.exitCode).toBe(1);
    process.exitCode = before;
    const printed = write.mock.calls.map((c) => String(c[0])).join('');
    expect(printed.startsWith(`error: mesh verification of chart "tutorial" failed:\n  ${EXPECTED}; every request this route takes fails with 503`)).toBe(true);
    expect(printed).not.toMatch(/\n\s+at /);
  });

  describe('two entries on one gateway port', () => {
    function twoSites(chart: Chart, hosts: [string[] | undefined, string[] | undefined]): void {
      hosts.forEach((h, i) => {
        const website = new Website(chart, `site${i}`, { serviceName: `site${i}`, versions: [{ name: 'v1', image: 'img:1' }] });
        new IstioEntry(chart, `entry${i}`, { website, gatewayName: `gw${i}`, ...(h !== undefined ? { hosts: h } : {}) });
      });
    }

    test('fails if two entries serve the same host on the same gateway port, e.g. both with the default "*" host (IST0145)', () => {
      const chart = Testing.chart();
      twoSites(chart, [undefined, undefined]);
      expect(() => synth(chart)).toThrow('ERROR IST0145 Gateway default/gw0: server 1 (port 80, hosts *) has the same selector (istio=ingressgateway), port and overlapping hosts as Gateway default/gw1');
    });

    test('near miss: entries with hosts of their own synthesize', () => {
      const chart = Testing.chart();
      twoSites(chart, [['a.example.com'], ['b.example.com']]);
      expect(synth(chart).filter((m) => m.kind === 'Gateway')).toHaveLength(2);
    });

    test('MeshVerification.disable turns the verification off for that chart only', () => {
      // GIVEN a broken chart, switched off, and a broken chart, left on, in one app
      const app = Testing.app();
      const off = new Chart(app, 'off', { namespace: 'off' });
      twoSites(off, [undefined, undefined]);
      const on = new Chart(app, 'on', { namespace: 'on' });
      step4AsWritten(on);
      // WHEN
      MeshVerification.disable(off);
      // THEN only the chart left on is reported, whichever chart is synthesized: cdk8s validates
      // the whole app at each synthesis
      expect(MeshVerification.isDisabled(off)).toBe(true);
      expect(MeshVerification.isDisabled(on)).toBe(false);
      for (const chart of [off, on]) {
        expect(() => synth(chart)).toThrow('mesh verification of chart "on" failed');
        expect(() => synth(chart)).not.toThrow('chart "off"');
      }
    });

    test('near miss: an app whose only broken chart is switched off synthesizes', () => {
      const app = Testing.app();
      const off = new Chart(app, 'off', { namespace: 'off' });
      twoSites(off, [undefined, undefined]);
      MeshVerification.disable(off);
      expect(synth(off).filter((m) => m.kind === 'Gateway')).toHaveLength(2);
    });
  });

  describe('Services and hosts that live outside the app', () => {
    /** A chart with an entry (so that it is verified) and a hand-written route to `host`. */
    function routeTo(host: string, port?: number): Chart {
      const chart = Testing.chart();
      const website = new Website(chart, 'website', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1' }] });
      new IstioEntry(chart, 'entry', { website, hosts: ['www.example.com'] });
      new ApiObject(chart, 'route', {
        apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'to-external' },
        spec: { hosts: ['www.example.com'], gateways: ['mesh'], http: [{ route: [{ destination: { host, ...(port !== undefined ? { port: { number: port } } : {}) } }] }] },
      });
      return chart;
    }

    test('fails if a route names a Service that is not in the app and not declared', () => {
      expect(() => synth(routeTo('reviews'))).toThrow('ERROR IST0101 VirtualService default/to-external: http rule 1 routes to host "reviews" (reviews.default.svc.cluster.local), which matches no Service or ServiceEntry');
    });

    test('a Service declared with MeshVerification.declareExternalService is known, with its ports', () => {
      // GIVEN
      const chart = routeTo('reviews.books.svc.cluster.local');
      const wrongPort = routeTo('reviews.books.svc.cluster.local', 8080);
      // WHEN
      MeshVerification.declareExternalService(chart, { name: 'reviews', namespace: 'books', ports: [9080] });
      MeshVerification.declareExternalService(wrongPort, { name: 'reviews', namespace: 'books', ports: [9080] });
      // THEN
      expect(synth(chart).map((m) => m.metadata.name)).toContain('to-external');
      expect(() => synth(wrongPort)).toThrow('routes to port 8080 of Service books/reviews, which only has ports 9080');
    });

    test('hosts declared with MeshVerification.declareExternalHosts are known, wildcards included', () => {
      // GIVEN
      const chart = routeTo('api.partner.example');
      // WHEN
      MeshVerification.declareExternalHosts(chart, ['*.partner.example']);
      // THEN
      expect(synth(chart).map((m) => m.kind)).not.toContain('ServiceEntry');
      expect(() => synth(routeTo('api.other.example'))).toThrow('host "api.other.example"');
    });

    test('fails if a declaration is malformed', () => {
      const chart = Testing.chart();
      expect(() => MeshVerification.declareExternalService(chart, { name: 'Reviews' })).toThrow('name must be a DNS-1035 label');
      expect(() => MeshVerification.declareExternalService(chart, { name: 'reviews', ports: [] })).toThrow('ports must list at least one port, got []');
      expect(() => MeshVerification.declareExternalHosts(chart, ['*'])).toThrow('hosts[0] must name a host or a domain ("*.example.com"), got "*", which would hide every unknown host');
      expect(() => MeshVerification.disable({} as Chart)).toThrow('chart must be a Chart, got {}');
    });
  });
});
