import { join } from 'node:path';
import { App } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { TrafficApi } from '../lib';
import { TUTORIAL_STAGES, TutorialChart, TutorialStage } from '../apps/tutorial-chart';
import { prepareManifests } from '../lib/mesh/prepare';
import { verifyPrepared } from '../lib/mesh/verify';
import { parseManifests } from './support/schema';
import { allSchemaErrors, find, Manifest, ofKind } from './support/synth';

/** The YAML that `CANARY_API=gateway-api npm run synth` writes for a stage, rendered in-process. */
function stageYaml(stage: TutorialStage): string {
  const app = new App();
  new TutorialChart(app, 'tutorial', { stage, api: TrafficApi.GATEWAY_API });
  return app.synthYaml();
}

function stage(s: TutorialStage): Manifest[] {
  return parseManifests(stageYaml(s));
}

function snapshotFile(s: TutorialStage): string {
  return join(__dirname, '__snapshots__', 'tutorial-gateway-api', `${String(TUTORIAL_STAGES.indexOf(s) + 1).padStart(2, '0')}-${s}.yaml`);
}

const key = (m: Manifest) => `${m.kind}/${m.metadata.name}`;
const rules = (manifests: Manifest[]) => find(manifests, 'HTTPRoute', 'website').spec.rules;

describe('the tutorial app in Gateway API form', () => {
  describe.each(TUTORIAL_STAGES)('stage %s', (s) => {
    test('matches its reviewed YAML snapshot', async () => {
      await expect(stageYaml(s)).toMatchFileSnapshot(snapshotFile(s));
    });

    test('every object validates against the Kubernetes and Gateway API v1.5.1 schemas, and none is an Istio object', () => {
      const manifests = stage(s);
      expect(allSchemaErrors(manifests)).toEqual([]);
      expect(manifests.filter((m) => m.apiVersion.startsWith('networking.istio.io'))).toEqual([]);
    });

    test('verifies clean, its Gateway and HTTPRoute read and checked, nothing skipped', () => {
      // GIVEN
      const prepared = prepareManifests(stage(s));
      // WHEN
      const findings = verifyPrepared(prepared);
      // THEN
      expect(findings).toEqual([]);
      expect(prepared.skipped).toEqual(new Map());
      expect(prepared.verified.get('Gateway (gateway.networking.k8s.io)')).toBe(1);
      expect(prepared.verified.get('HTTPRoute')).toBeGreaterThanOrEqual(1);
    });

    test('every backend the route names is a Service of the stage', () => {
      const manifests = stage(s);
      const services = ofKind(manifests, 'Service').map((svc) => svc.metadata.name);
      for (const rule of rules(manifests)) {
        for (const ref of rule.backendRefs) {
          expect(services).toContain(ref.name);
        }
      }
    });
  });

  test('v1-only: the Gateway (class istio, port 80, any host) and a route to the Service website', () => {
    const manifests = stage('v1-only');
    expect(manifests.map(key)).toEqual(['Namespace/default', 'Service/website', 'Deployment/web-v1', 'Gateway/website-gateway', 'HTTPRoute/website']);
    expect(find(manifests, 'Gateway', 'website-gateway').spec).toEqual({ gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] });
    expect(rules(manifests)).toEqual([{ backendRefs: [{ name: 'website', port: 80 }] }]);
  });

  test('subset-v1: a Service for version 1 selecting its pods, and the route names it', () => {
    const manifests = stage('subset-v1');
    expect(find(manifests, 'Service', 'website-version-1').spec.selector).toEqual({ app: 'website', version: 'website-version-1' });
    expect(rules(manifests)).toEqual([{ backendRefs: [{ name: 'website-version-1', port: 80 }] }]);
  });

  test('canary-deployed: web-v2 and its Service exist before any route uses them', () => {
    const manifests = stage('canary-deployed');
    expect(find(manifests, 'Service', 'website-version-2').spec.selector).toEqual({ app: 'website', version: 'website-version-2' });
    expect(rules(manifests)).toEqual([{ backendRefs: [{ name: 'website-version-1', port: 80 }] }]);
  });

  test('header-route changes only the HTTPRoute from canary-deployed (make before break): qa: canary-test to version 2', () => {
    const before = stage('canary-deployed');
    const after = stage('header-route');
    expect(after.map(key)).toEqual(before.map(key));
    const changed = after.filter((m) => JSON.stringify(m) !== JSON.stringify(before.find((b) => key(b) === key(m))));
    expect(changed.map(key)).toEqual(['HTTPRoute/website']);
    expect(rules(after)).toEqual([
      { matches: [{ headers: [{ name: 'qa', type: 'Exact', value: 'canary-test' }] }], backendRefs: [{ name: 'website-version-2', port: 80 }] },
      { backendRefs: [{ name: 'website-version-1', port: 80 }] },
    ]);
  });

  test('weighted: 20% to version 2 and 80% to version 1, as in the Istio form', () => {
    expect(rules(stage('weighted'))).toEqual([
      { backendRefs: [{ name: 'website-version-2', port: 80, weight: 20 }, { name: 'website-version-1', port: 80, weight: 80 }] },
    ]);
  });

  test('the Deployments are the same as in the Istio form', () => {
    const istio = new App();
    new TutorialChart(istio, 'tutorial', { stage: 'weighted' });
    const istioDeployments = ofKind(parseManifests(istio.synthYaml()), 'Deployment');
    expect(ofKind(stage('weighted'), 'Deployment')).toEqual(istioDeployments);
  });
});
