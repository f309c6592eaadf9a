import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CanaryRelease, IstioEntry, RequestMatch, Website, Weight } from '../lib';
import { allSchemaErrors, find, ofKind, synth } from './support/synth';

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
