import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { progressivePlan } from '../../apps/plan';
import { Manifest, Phase, PhaseKind, PlanLayout, RolloutPlan, RolloutStep, SYNC_WAVE_ANNOTATION, Weight } from '../../lib';
import { SYNC_WAVES, withSyncWaves } from '../../lib/rollout/argocd';
import { objectKey, planTransition } from '../../lib/rollout/transition';
import { deployment, destinationRule, route, V1, V2, virtualService } from '../support/fixtures';
import { parseManifests } from '../support/schema';
import { planSites } from '../support/fixtures';

const scratch = mkdtempSync(join(tmpdir(), 'argocd-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const { site, gatewayApiSite } = planSites(4, 1);

const waveOf = (m: any) => Number(m.metadata.annotations[SYNC_WAVE_ANNOTATION]);
const withoutWave = (m: any) => {
  const { [SYNC_WAVE_ANNOTATION]: _wave, ...annotations } = m.metadata?.annotations ?? {};
  const { annotations: _all, ...metadata } = m.metadata ?? {};
  return { ...m, metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata };
};

/**
 * What Argo CD does with a stage folder committed over the previous one: each wave in order applies
 * its objects that differ from the live ones (a changed sync-wave annotation alone changes nothing
 * that matters), then, with PruneLast, the objects the folder no longer has are pruned.
 */
function argoSync(live: readonly Manifest[], folder: readonly Manifest[]): Phase[] {
  const current = new Map(live.map((m) => [objectKey(m), JSON.stringify(withoutWave(m))]));
  const byWave = new Map<number, Manifest[]>();
  for (const m of folder) {
    if (current.get(objectKey(m)) !== JSON.stringify(withoutWave(m))) {
      byWave.set(waveOf(m), [...(byWave.get(waveOf(m)) ?? []), withoutWave(m)]);
    }
  }
  const kinds = new Map(Object.entries(SYNC_WAVES).map(([kind, wave]) => [wave, kind as PhaseKind]));
  const phases: Phase[] = [...byWave].sort(([a], [b]) => a - b).map(([wave, objects]) => ({ kind: kinds.get(wave)!, objects }));
  const keep = new Set(folder.map(objectKey));
  const pruned = live.filter((m) => !keep.has(objectKey(m))).map(withoutWave);
  return pruned.length > 0 ? [...phases, { kind: PhaseKind.DELETE, objects: pruned }] : phases;
}

const plans: Array<[string, () => RolloutPlan]> = [
  ['the progressive plan', progressivePlan],
  ['a rollback with scale-down', () => new RolloutPlan({ ...site, steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(20)), RolloutStep.rollback({ scaleCanaryToZero: true })] })],
  ['a plan scaling the stable version down', () => new RolloutPlan({
    ...site, scaleDownStable: true, steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(50)), RolloutStep.promote(), RolloutStep.finalize()],
  })],
  ['a Gateway API plan scaling the stable version down', () => new RolloutPlan({
    ...gatewayApiSite, scaleDownStable: true, steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(50)), RolloutStep.promote(), RolloutStep.finalize()],
  })],
  ['a Gateway API rollback with scale-down', () => new RolloutPlan({
    ...gatewayApiSite, steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(20)), RolloutStep.rollback({ scaleCanaryToZero: true })],
  })],
];

describe('withSyncWaves', () => {
  test('each object gets the wave of its phase; what the transition leaves alone gets the first wave', () => {
    // GIVEN a transition that adds a subset, routes to it and scales the old version down
    const before = [deployment('web-v1', V1, { replicas: 3 }), destinationRule('web', 'web', [['v1', V1]]), virtualService('vs', [{ route: [route('web', 'v1')] }])];
    const after = [
      deployment('web-v1', V1, { replicas: 1 }), deployment('web-v2', V2, { replicas: 2 }),
      destinationRule('web', 'web', [['v1', V1], ['v2', V2]]), virtualService('vs', [{ route: [route('web', 'v2')] }]),
    ];
    // WHEN
    const waves = withSyncWaves('stage x', after, planTransition(before, after));
    // THEN
    expect(waves.map((m) => [m.metadata?.name, waveOf(m)])).toEqual([['web-v1', 2], ['web-v2', 0], ['web', 0], ['vs', 1]]);
    expect(withSyncWaves('stage x', after, []).map(waveOf)).toEqual([0, 0, 0, 0]);
    // AND the objects keep their other annotations
    const annotated = { ...after[3], metadata: { ...after[3].metadata, annotations: { team: 'shop' } } };
    expect(withSyncWaves('stage x', [annotated], []).map((m: any) => m.metadata.annotations)).toEqual([{ team: 'shop', [SYNC_WAVE_ANNOTATION]: '0' }]);
  });

  test('fails if a DestinationRule gains and loses subsets in one stage, naming the stage', () => {
    const before = [destinationRule('web', 'web', [['v1', V1]])];
    const after = [destinationRule('web', 'web', [['v2', V2]])];
    expect(() => withSyncWaves('stage 03-swap', after, planTransition(before, after))).toThrow(
      'stage 03-swap: DestinationRule web changes in two phases (it gains subsets before the routes change and loses others after), which one Argo CD sync cannot do: make the stage two steps',
    );
  });
});

describe('RolloutPlan in the Argo CD layout', () => {
  test.each(plans)('for %s, the waves of each stage folder order the objects exactly as the phases do', (_name, make) => {
    // GIVEN
    const plan = make();
    let live: Manifest[] = [];
    for (const stage of plan.writtenStages()) {
      // WHEN the stage folder is synced over the previous one
      const folder = plan.syncWaves(stage);
      // THEN the folder is the whole stage, and Argo CD carries out exactly its phases, in order
      expect(folder.map(withoutWave), stage.state.folder).toEqual(stage.manifests);
      expect(argoSync(live, folder), stage.state.folder).toEqual(stage.phases);
      live = folder;
    }
  });

  test('write() puts each stage in one file and plan.md says what the Application needs', () => {
    // GIVEN
    const out = join(scratch, 'argocd');
    const plan = progressivePlan();
    // WHEN
    plan.write(out, 'progressive release', { layout: PlanLayout.ARGO_CD_SYNC_WAVES });
    // THEN
    expect(readdirSync(out).filter((f) => !f.startsWith('.'))).toEqual([
      '00-steady-state', '01-deploy-canary', '02-header-only', '03-weight-5', '04-weight-25', '05-weight-50', '06-promote', '07-finalize', 'plan.md',
    ]);
    expect(readdirSync(join(out, '07-finalize'))).toEqual(['resources.yaml']);
    const finalize = parseManifests(readFileSync(join(out, '07-finalize', 'resources.yaml'), 'utf8'));
    expect(finalize.map((m) => `${m.kind}/${m.metadata.name}=${waveOf(m)}`)).toEqual([
      'Service/website=0', 'Deployment/web-v2=0', 'Gateway/website-gateway=0', 'VirtualService/website-virtual-service=0', 'DestinationRule/website=2',
    ]);
    const markdown = readFileSync(join(out, 'plan.md'), 'utf8');
    expect(markdown).toContain('`syncPolicy.syncOptions: [PruneLast=true]`');
    expect(markdown).toContain('`ARGOCD_SYNC_WAVE_DELAY` of at least 20 (seconds)');
    expect(markdown).toContain(['## 07-finalize', '', '- wave 2: DestinationRule website', '- pruned last: Deployment web-v1'].join('\n'));
    expect(markdown).toContain('cp 05-weight-50/resources.yaml "$APP_PATH"/resources.yaml\ngit -C "$APP_PATH" add resources.yaml && git -C "$APP_PATH" commit -m "progressive release: 05-weight-50"');
  });

  test('with the Gateway API, the per-version Services are in the first wave, the HTTPRoute in the second, and the Service no route names is pruned', () => {
    // GIVEN
    const plan = new RolloutPlan({ ...gatewayApiSite, steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(20)), RolloutStep.promote(), RolloutStep.finalize()] });
    // WHEN
    const [start, , , promote] = plan.writtenStages();
    // THEN
    expect(plan.syncWaves(start).map((m) => `${m.kind}/${m.metadata?.name}=${waveOf(m)}`)).toEqual([
      'Service/shop=0', 'Deployment/release-website-v1-c89a6d98=0', 'Gateway/shop=0', 'HTTPRoute/shop=1', 'Service/shop-v1=0',
    ]);
    expect(plan.syncWaves(promote).filter((m) => m.kind === 'HTTPRoute').map(waveOf)).toEqual([1]);
    const markdown = plan.argoCdMarkdown('x');
    expect(markdown).toContain('Stage `00-steady-state` is the state the plan starts from: version v1 alone, with its Service, taking every request.');
    expect(markdown).toContain('1 to route (HTTPRoutes), 2 to retire (workloads scaled down)');
    expect(markdown).not.toContain('VirtualService');
    expect(markdown).toContain(['## 04-finalize', '', '- pruned last: Deployment release-website-v1-c89a6d98, Service shop-v1'].join('\n'));
  });

  test('fails if the layout is not one of PlanLayout', () => {
    expect(() => progressivePlan().write(join(scratch, 'bad'), 'x', { layout: 'helm' as never }))
      .toThrow('layout must be one of kubectl-phases, argo-cd-sync-waves, got "helm"');
  });

  test('the README\'s Application prunes, and prunes last', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'docs', 'rollout-plans.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### GitOps with Argo CD'));
    const [application] = parseManifests(section.slice(section.indexOf('```yaml\n') + 8, section.indexOf('```\n', section.indexOf('```yaml\n') + 8)));
    expect(application.kind).toBe('Application');
    expect(application.spec.syncPolicy).toEqual({ automated: { prune: true }, syncOptions: ['PruneLast=true'] });
  });
});
