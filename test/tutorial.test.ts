import { join } from 'node:path';
import { App } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { TUTORIAL_STAGES, TutorialChart, TutorialStage } from '../apps/tutorial-chart';
import { podSecurityViolations } from './support/pod-security';
import { parseManifests } from './support/schema';
import { allSchemaErrors, find, Manifest, ofKind } from './support/synth';

/** The YAML that `npm run synth` writes for a stage, rendered in-process. */
function stageYaml(stage: TutorialStage): string {
  const app = new App();
  new TutorialChart(app, 'tutorial', { stage });
  return app.synthYaml();
}

function stage(stage: TutorialStage): Manifest[] {
  return parseManifests(stageYaml(stage));
}

function snapshotFile(s: TutorialStage): string {
  return join(__dirname, '__snapshots__', 'tutorial', `${String(TUTORIAL_STAGES.indexOf(s) + 1).padStart(2, '0')}-${s}.yaml`);
}

function subsetsOf(manifests: Manifest[]): string[] {
  return ofKind(manifests, 'DestinationRule').flatMap((dr) => dr.spec.subsets.map((s: { name: string }) => s.name));
}

function routedSubsets(manifests: Manifest[]): string[] {
  return ofKind(manifests, 'VirtualService')
    .flatMap((vs) => vs.spec.http.flatMap((rule: any) => rule.route.map((r: any) => r.destination.subset)))
    .filter((s: string | undefined) => s !== undefined);
}

describe('the tutorial app', () => {
  describe.each(TUTORIAL_STAGES)('stage %s', (s) => {
    test('matches its reviewed YAML snapshot', async () => {
      await expect(stageYaml(s)).toMatchFileSnapshot(snapshotFile(s));
    });

    test('every object validates against the Kubernetes and Istio CRD schemas', () => {
      expect(allSchemaErrors(stage(s))).toEqual([]);
    });

    test('no VirtualService routes to a subset its DestinationRule lacks', () => {
      const manifests = stage(s);
      const defined = subsetsOf(manifests);
      for (const subset of routedSubsets(manifests)) {
        expect(defined).toContain(subset);
      }
    });

    test('the tutorial\'s defects are fixed: apps/v1 with selectors, 100m and 200Mi requests (with the default limits), networking.istio.io/v1', () => {
      const manifests = stage(s);
      for (const deployment of ofKind(manifests, 'Deployment')) {
        expect(deployment.apiVersion).toBe('apps/v1');
        expect(deployment.spec.selector.matchLabels).toEqual({ app: 'website', version: deployment.spec.template.metadata.labels.version });
        expect(deployment.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '1500m', memory: '2048Mi' } });
      }
      for (const istio of manifests.filter((m) => m.apiVersion.startsWith('networking.istio.io'))) {
        expect(istio.apiVersion).toBe('networking.istio.io/v1');
      }
    });

    test('every object is in the default namespace, which is enrolled for automatic sidecar injection', () => {
      const manifests = stage(s);
      expect(find(manifests, 'Namespace', 'default').metadata).toEqual({ name: 'default', labels: { 'istio-injection': 'enabled' } });
      for (const m of manifests.filter((x) => x.kind !== 'Namespace')) {
        expect(m.metadata.namespace).toBe('default');
      }
    });
  });

  test('v1-only: web-v1 with 4 replicas, Service website, the Gateway and a VirtualService routing to the Service', () => {
    const manifests = stage('v1-only');
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Namespace/default', 'Service/website', 'Deployment/web-v1', 'Gateway/website-gateway', 'VirtualService/website-virtual-service',
    ]);
    const v1 = find(manifests, 'Deployment', 'web-v1');
    expect(v1.spec.replicas).toBe(4);
    expect(v1.spec.template.metadata.labels).toEqual({ app: 'website', version: 'website-version-1' });
    expect(v1.spec.template.spec.containers[0]).toMatchObject({ name: 'website-version-1', image: 'kublr/kublr-tutorial-images:v1' });
    expect(find(manifests, 'Service', 'website').spec).toMatchObject({
      ports: [{ port: 80, targetPort: 80, protocol: 'TCP', name: 'http' }],
      selector: { app: 'website' },
    });
    expect(find(manifests, 'Gateway', 'website-gateway').spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    });
    expect(find(manifests, 'VirtualService', 'website-virtual-service').spec).toEqual({
      hosts: ['*'], gateways: ['website-gateway'], http: [{ route: [{ destination: { host: 'website' } }] }],
    });
  });

  test('subset-v1: DestinationRule website with subset version-1, and the route names it', () => {
    const manifests = stage('subset-v1');
    expect(find(manifests, 'DestinationRule', 'website').spec).toEqual({
      host: 'website', subsets: [{ name: 'version-1', labels: { version: 'website-version-1' } }],
    });
    expect(find(manifests, 'VirtualService', 'website-virtual-service').spec.http).toEqual([
      { route: [{ destination: { host: 'website', subset: 'version-1' } }] },
    ]);
    expect(ofKind(manifests, 'Deployment').map((d) => d.metadata.name)).toEqual(['web-v1']);
  });

  test('canary-deployed: web-v2 with 1 replica and subset version-2 exist before any route uses them', () => {
    const manifests = stage('canary-deployed');
    const v2 = find(manifests, 'Deployment', 'web-v2');
    expect(v2.spec.replicas).toBe(1);
    expect(v2.spec.template.metadata.labels).toEqual({ app: 'website', version: 'website-version-2' });
    expect(v2.spec.template.spec.containers[0]).toMatchObject({ name: 'website-version-2', image: 'kublr/kublr-tutorial-images:v2' });
    expect(subsetsOf(manifests)).toEqual(['version-1', 'version-2']);
    expect(routedSubsets(manifests)).toEqual(['version-1']);
  });

  test('header-route: qa: canary-test goes to version-2, everything else to version-1', () => {
    const manifests = stage('header-route');
    expect(find(manifests, 'VirtualService', 'website-virtual-service').spec.http).toEqual([
      { match: [{ headers: { qa: { exact: 'canary-test' } } }], route: [{ destination: { host: 'website', subset: 'version-2' } }] },
      { route: [{ destination: { host: 'website', subset: 'version-1' } }] },
    ]);
  });

  test('header-route changes only the VirtualService from canary-deployed (make before break)', () => {
    const before = stage('canary-deployed');
    const after = stage('header-route');
    const key = (m: Manifest) => `${m.kind}/${m.metadata.name}`;
    expect(after.map(key)).toEqual(before.map(key));
    const changed = after.filter((m) => JSON.stringify(m) !== JSON.stringify(before.find((b) => key(b) === key(m))));
    expect(changed.map(key)).toEqual(['VirtualService/website-virtual-service']);
  });

  test('weighted: 20% to version-2 and 80% to version-1, the header rule gone', () => {
    const manifests = stage('weighted');
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Namespace/default', 'Service/website', 'Deployment/web-v1', 'Deployment/web-v2', 'Gateway/website-gateway',
      'VirtualService/website-virtual-service', 'DestinationRule/website',
    ]);
    expect(find(manifests, 'VirtualService', 'website-virtual-service').spec.http).toEqual([{
      route: [
        { destination: { host: 'website', subset: 'version-2' }, weight: 20 },
        { destination: { host: 'website', subset: 'version-1' }, weight: 80 },
      ],
    }]);
    expect(find(manifests, 'DestinationRule', 'website').spec.subsets).toEqual([
      { name: 'version-1', labels: { version: 'website-version-1' } },
      { name: 'version-2', labels: { version: 'website-version-2' } },
    ]);
  });

  test('the tutorial\'s nginx images run as root with a writable filesystem and four capabilities, and nothing more is relaxed', () => {
    const pod = find(stage('weighted'), 'Deployment', 'web-v2').spec.template.spec;
    expect(pod.securityContext).toEqual({ fsGroupChangePolicy: 'Always', runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN', 'SETUID', 'SETGID'] },
      privileged: false,
      readOnlyRootFilesystem: false,
      runAsNonRoot: false,
    });
  });

  test('the tutorial\'s pods pass the "baseline" Pod Security Standard, not "restricted"', () => {
    for (const deployment of ofKind(stage('weighted'), 'Deployment')) {
      expect(podSecurityViolations(deployment.spec.template, 'baseline')).toEqual([]);
      expect(podSecurityViolations(deployment.spec.template, 'restricted')).toEqual([
        'Running as Non-root: spec.securityContext.runAsNonRoot must be true',
        'Running as Non-root: spec.containers[0].securityContext.runAsNonRoot must be true (or set true for the pod)',
        'Capabilities: spec.containers[0].securityContext.capabilities.add may only hold NET_BIND_SERVICE, not CHOWN',
        'Capabilities: spec.containers[0].securityContext.capabilities.add may only hold NET_BIND_SERVICE, not SETUID',
        'Capabilities: spec.containers[0].securityContext.capabilities.add may only hold NET_BIND_SERVICE, not SETGID',
      ]);
    }
  });

  test('each version is ready only when nginx answers / on port 80', () => {
    for (const deployment of ofKind(stage('weighted'), 'Deployment')) {
      expect(deployment.spec.template.spec.containers[0].readinessProbe).toEqual({ failureThreshold: 3, httpGet: { path: '/', port: 80, scheme: 'HTTP' } });
    }
  });

  test('fails if the stage is unknown', () => {
    expect(() => new TutorialChart(new App(), 'tutorial', { stage: 'canary' as TutorialStage }))
      .toThrow('stage must be one of v1-only, subset-v1, canary-deployed, header-route, weighted, got "canary"');
  });
});
