import { describe, expect, test } from 'vitest';
import { applyPhase, objectKey, PhaseKind, planTransition } from '../../lib';
import { deployment, destinationRule, route, tutorial, V1, V2, virtualService } from '../support/fixtures';

const dr = (...subsets: string[]) => destinationRule('website', 'website', subsets.map((s) => [s, { version: s }]));
const vs = (...subsets: string[]) => virtualService('vs', [{ route: subsets.map((s) => route('website', s)) }]);
const kinds = (phases: ReturnType<typeof planTransition>) => phases.map((p) => [p.kind, p.objects.map((o) => `${o.kind}/${o.metadata?.name}`)]);

describe('planTransition', () => {
  test('from an empty cluster: everything but routes first, then the routes', () => {
    expect(kinds(planTransition([], tutorial()))).toEqual([
      [PhaseKind.PREPARE, ['Service/website', 'Deployment/web-v1', 'Deployment/web-v2', 'Gateway/website-gateway', 'DestinationRule/website']],
      [PhaseKind.ROUTE, ['VirtualService/website-virtual-service']],
    ]);
  });

  test('adding a subset: the DestinationRule and Deployment before the VirtualService that names it', () => {
    const before = [deployment('web-v1', V1), dr('v1'), vs('v1')];
    const after = [deployment('web-v1', V1), deployment('web-v2', V2), dr('v1', 'v2'), vs('v2')];
    expect(kinds(planTransition(before, after))).toEqual([
      [PhaseKind.PREPARE, ['Deployment/web-v2', 'DestinationRule/website']],
      [PhaseKind.ROUTE, ['VirtualService/vs']],
    ]);
  });

  test('removing a subset: the VirtualService first, then the DestinationRule, then deletions', () => {
    const before = [deployment('web-v1', V1), deployment('web-v2', V2), dr('v1', 'v2'), vs('v1')];
    const after = [deployment('web-v2', V2), dr('v2'), vs('v2')];
    expect(kinds(planTransition(before, after))).toEqual([
      [PhaseKind.ROUTE, ['VirtualService/vs']],
      [PhaseKind.RETIRE, ['DestinationRule/website']],
      [PhaseKind.DELETE, ['Deployment/web-v1']],
    ]);
  });

  test('a DestinationRule that gains and loses subsets holds both before the routes change, then only the new ones', () => {
    const phases = planTransition([dr('v1'), vs('v1')], [dr('v2'), vs('v2')]);
    expect(phases.map((p) => [p.kind, p.objects.filter((o) => o.kind === 'DestinationRule').map((o) => o.spec.subsets.map((s: any) => s.name))])).toEqual([
      [PhaseKind.PREPARE, [['v2', 'v1']]],
      [PhaseKind.ROUTE, []],
      [PhaseKind.RETIRE, [['v2']]],
    ]);
  });

  test('scaling a workload down comes after the routes; scaling up before', () => {
    const down = planTransition([deployment('web-v2', V2, { replicas: 2 }), vs('v1', 'v2')], [deployment('web-v2', V2, { replicas: 0 }), vs('v1')]);
    expect(kinds(down)).toEqual([[PhaseKind.ROUTE, ['VirtualService/vs']], [PhaseKind.RETIRE, ['Deployment/web-v2']]]);
    const up = planTransition([deployment('web-v2', V2, { replicas: 0 }), vs('v1')], [deployment('web-v2', V2, { replicas: 2 }), vs('v1', 'v2')]);
    expect(kinds(up)).toEqual([[PhaseKind.PREPARE, ['Deployment/web-v2']], [PhaseKind.ROUTE, ['VirtualService/vs']]]);
  });

  test('unchanged objects are left out; no change gives no phase', () => {
    expect(planTransition(tutorial(), tutorial())).toEqual([]);
  });
});

describe('applyPhase', () => {
  test('applies by replacing or adding, and deletes for the delete phase', () => {
    const live = [dr('v1'), vs('v1')];
    const added = applyPhase(live, { kind: PhaseKind.PREPARE, objects: [dr('v1', 'v2'), deployment('web-v2', V2)] });
    expect(added.map(objectKey)).toEqual(['networking.istio.io/v1/DestinationRule/default/website', 'networking.istio.io/v1/VirtualService/default/vs', 'apps/v1/Deployment/default/web-v2']);
    expect(added[0].spec.subsets).toHaveLength(2);
    expect(applyPhase(added, { kind: PhaseKind.DELETE, objects: [deployment('web-v2', V2)] }).map((m) => m.kind)).toEqual(['DestinationRule', 'VirtualService']);
  });
});
