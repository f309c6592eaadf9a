/**
 * Small builders of plain manifests, for the verification tests: a healthy topology like the
 * tutorial's last step, which each test breaks (or nearly breaks) in one place.
 */
import { TrafficApi } from '../../lib/model/traffic-api';

export type M = any;

export function service(name: string, opts: { ns?: string; selector?: Record<string, string> | null; ports?: any[] } = {}): M {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, ...(opts.ns ? { namespace: opts.ns } : {}) },
    spec: {
      ports: opts.ports ?? [{ name: 'http', port: 80, targetPort: 80 }],
      ...(opts.selector === null ? {} : { selector: opts.selector ?? { app: name } }),
    },
  };
}

export function deployment(name: string, labels: Record<string, string>, opts: { ns?: string; replicas?: number; selector?: Record<string, string>; kind?: string } = {}): M {
  return {
    apiVersion: 'apps/v1', kind: opts.kind ?? 'Deployment', metadata: { name, ...(opts.ns ? { namespace: opts.ns } : {}) },
    spec: {
      ...(opts.kind === 'DaemonSet' ? {} : { replicas: opts.replicas ?? 1 }),
      selector: { matchLabels: opts.selector ?? labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'img' }] } },
    },
  };
}

export function gateway(name: string, hosts: string[] = ['*'], opts: { ns?: string; selector?: Record<string, string> } = {}): M {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, ...(opts.ns ? { namespace: opts.ns } : {}) },
    spec: { selector: opts.selector ?? { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }] },
  };
}

export function virtualService(name: string, http: any[], opts: { ns?: string; hosts?: string[]; gateways?: string[] | null } = {}): M {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, ...(opts.ns ? { namespace: opts.ns } : {}) },
    spec: {
      hosts: opts.hosts ?? ['*'],
      ...(opts.gateways === null ? {} : { gateways: opts.gateways ?? ['website-gateway'] }),
      http,
    },
  };
}

export function destinationRule(name: string, host: string, subsets: Array<[string, Record<string, string>]>, opts: { ns?: string } = {}): M {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, ...(opts.ns ? { namespace: opts.ns } : {}) },
    spec: { host, subsets: subsets.map(([n, labels]) => ({ name: n, labels })) },
  };
}

export function route(host: string, subset?: string, weight?: number): M {
  return { destination: { host, ...(subset !== undefined ? { subset } : {}) }, ...(weight !== undefined ? { weight } : {}) };
}

export const V1 = { app: 'website', version: 'website-version-1' };
export const V2 = { app: 'website', version: 'website-version-2' };

/** The tutorial's final step, as plain manifests. */
export function tutorial(): M[] {
  return [
    service('website', { selector: { app: 'website' } }),
    deployment('web-v1', V1, { replicas: 4 }),
    deployment('web-v2', V2, { replicas: 1 }),
    gateway('website-gateway'),
    virtualService('website-virtual-service', [{ route: [route('website', 'version-2', 20), route('website', 'version-1', 80)] }]),
    destinationRule('website', 'website', [['version-1', { version: 'website-version-1' }], ['version-2', { version: 'website-version-2' }]]),
  ];
}

/** The tutorial's step 4 as written: the header route names subset version-2, which the DestinationRule lacks. */
export function tutorialStep4AsWritten(): M[] {
  return [
    service('website', { selector: { app: 'website' } }),
    deployment('web-v1', V1, { replicas: 4 }),
    deployment('web-v2', V2, { replicas: 1 }),
    gateway('website-gateway'),
    virtualService('website-virtual-service', [
      { match: [{ headers: { qa: { exact: 'canary-test' } } }], route: [route('website', 'version-2')] },
      { route: [route('website', 'version-1')] },
    ]),
    destinationRule('website', 'website', [['version-1', { version: 'website-version-1' }]]),
  ];
}

/**
 * The shop website of the rollout-plan tests, as RolloutPlan props: `site` for Istio's API and
 * `gatewayApiSite` for the Gateway API, with the given replicas of v1 (stable) and v2 (canary).
 */
export function planSites(stableReplicas: number, canaryReplicas: number) {
  const website = { serviceName: 'shop', versions: [{ name: 'v1', image: 'shop:1', replicas: stableReplicas }, { name: 'v2', image: 'shop:2', replicas: canaryReplicas }] };
  return {
    site: {
      website,
      entry: { hosts: ['shop.example.com'], gatewayName: 'shop', virtualServiceName: 'shop' },
      destinationRuleName: 'shop',
      stable: 'v1',
      canary: 'v2',
    },
    gatewayApiSite: {
      website,
      entry: { hosts: ['shop.example.com'], gatewayName: 'shop', routeName: 'shop', api: TrafficApi.GATEWAY_API },
      stable: 'v1',
      canary: 'v2',
    },
  };
}

/**
 * The tutorial in the mesh through a root VirtualService whose /api rule delegates to a
 * VirtualService without hosts (`api`, to version-2); other requests go to version-1.
 */
export function tutorialWithDelegate(): M[] {
  const delegate = virtualService('api', [{ route: [route('website', 'version-2')] }], { gateways: null });
  delete delegate.spec.hosts;
  return [...tutorial().filter((m) => m.kind !== 'VirtualService'), delegate, virtualService('root', [
    { match: [{ uri: { prefix: '/api' } }], delegate: { name: 'api' } },
    { route: [route('website', 'version-1')] },
  ], { hosts: ['website'], gateways: ['mesh'] })];
}
