import { ApiObject, Lazy, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { afterEach, describe, expect, test } from 'vitest';
import { CanaryRelease, IstioEntry, TrafficApi, Website, Weight } from '../../lib';
import { GATEWAY_API_RENDERER } from '../../lib/render/gateway-api/renderer';
import { ISTIO_RENDERER } from '../../lib/render/istio/renderer';
import type { EntryModel, ReleaseModel, TrafficRenderer } from '../../lib/render/renderer';
import { rendererFor, RENDERERS } from '../../lib/render/renderers';
import { allSchemaErrors, synth } from '../support/synth';

/** A third API, as a test writes it: its objects are ConfigMaps holding what it was given. */
function fakeRenderer(calls: string[], models: { entry?: EntryModel; release?: ReleaseModel }): TrafficRenderer {
  return {
    checkEntryProps: (props) => {
      calls.push('checkEntryProps');
      if (props.waypoint !== undefined) {
        throw new Error('waypoint is not supported with the fake API');
      }
    },
    checkServers: () => calls.push('checkServers'),
    gateway: (scope: Construct, entry: EntryModel) => {
      calls.push('gateway');
      models.entry = entry;
      const object = new ApiObject(scope, 'Gateway', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: entry.gatewayName }, data: { servers: JSON.stringify(entry.servers) } });
      return { name: object.name };
    },
    routes: (scope: Construct, entry: EntryModel, gatewayName: string) => {
      calls.push(`routes ${gatewayName}`);
      new ApiObject(scope, 'Resource', {
        apiVersion: 'v1', kind: 'ConfigMap', data: Lazy.any({ produce: () => ({ rules: JSON.stringify(entry.rules()) }) }),
      });
      return {};
    },
    checkRelease: (_props, canaryMatches, rules) => calls.push(`checkRelease ${canaryMatches.length} ${rules.length}`),
    release: (_scope: Construct, release: ReleaseModel) => {
      calls.push('release');
      models.release = release;
      return { versionServices: new Map() };
    },
  };
}

function website(): { c: ReturnType<typeof Testing.chart>; site: Website } {
  const c = Testing.chart();
  const site = new Website(c, 'site', {
    serviceName: 'website',
    versions: ['v1', 'v2'].map((name) => ({ name, image: `img:${name}`, deploymentName: `web-${name}` })),
  });
  return { c, site };
}

describe('the renderer registry', () => {
  const registered = { ...RENDERERS };
  afterEach(() => {
    Object.assign(RENDERERS, registered);
  });

  test('maps each TrafficApi to the renderer of its folder', () => {
    // GIVEN / WHEN
    const byApi = Object.values(TrafficApi).map((api) => [api, rendererFor(api)]);

    // THEN
    expect(byApi).toEqual([[TrafficApi.ISTIO, ISTIO_RENDERER], [TrafficApi.GATEWAY_API, GATEWAY_API_RENDERER]]);
  });

  test('the constructs hand the checked model to the registered renderer, which writes every routing object', () => {
    // GIVEN
    const calls: string[] = [];
    const models: { entry?: EntryModel; release?: ReleaseModel } = {};
    RENDERERS[TrafficApi.ISTIO] = fakeRenderer(calls, models);
    const { c, site } = website();

    // WHEN
    const entry = new IstioEntry(c, 'entry', { website: site, hosts: ['www.example.com'], mesh: true, gatewayName: 'gw' });
    new CanaryRelease(c, 'release', { website: site, entry, stable: 'v1', canary: 'v2', canaryWeight: Weight.percent(10) });

    // THEN
    expect(calls).toEqual(['checkEntryProps', 'checkServers', 'gateway', 'routes gw', 'checkRelease 0 1', 'release']);
    expect(models.entry).toMatchObject({
      hosts: ['www.example.com'],
      routeHosts: ['www.example.com', 'website'],
      servers: [{ port: 80, name: 'http', protocol: 'HTTP', hosts: ['www.example.com'], httpsRedirect: false }],
      serviceName: 'website',
      meshGateway: 'mesh',
      gatewayName: 'gw',
    });
    expect(models.release?.versions()).toEqual([
      { name: 'v1', subsetName: 'v1', versionSelector: { version: 'v1' } },
      { name: 'v2', subsetName: 'v2', versionSelector: { version: 'v2' } },
    ]);
    expect(models.release?.appSelector).toEqual({ app: site.appLabel });
    const manifests = synth(c);
    expect(manifests.map((m) => m.kind).filter((kind) => !['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget'].includes(kind))).toEqual(['ConfigMap', 'ConfigMap']);
    expect(JSON.parse(manifests.find((m) => m.kind === 'ConfigMap' && m.data.rules !== undefined)!.data.rules)).toEqual(entry.httpRules());
    // The project's objects (the fake's ConfigMaps are the test's own).
    expect(allSchemaErrors(manifests.filter((m) => m.kind !== 'ConfigMap'))).toEqual([]);
  });

  test('fails if the registered renderer refuses a prop, with its message, before any object is added', () => {
    // GIVEN
    const calls: string[] = [];
    RENDERERS[TrafficApi.ISTIO] = fakeRenderer(calls, {});
    const { c, site } = website();

    // WHEN / THEN
    expect(() => new IstioEntry(c, 'entry', { website: site, hosts: ['www.example.com'], mesh: true, waypoint: 'wp' })).toThrow('waypoint is not supported with the fake API');
    expect(calls).toEqual(['checkEntryProps']);
  });
});
