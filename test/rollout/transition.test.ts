import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PhaseKind } from '../../lib';
import { applyPhase, objectKey, planTransition } from '../../lib/rollout/transition';
import { deployment, destinationRule, route, service, tutorial, V1, V2, virtualService } from '../support/fixtures';
import { podsBehind } from '../support/invariants';

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

  test('Gateway API: per-version Services before the HTTPRoute that names them, the HTTPRoute, then the Services and workloads it stopped naming', () => {
    // GIVEN an HTTPRoute on version 1's Service, then one on version 2's
    const apiGateway = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
    const httpRoute = (...backends: string[]) => ({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web' },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: backends.map((name) => ({ name, port: 80 })) }] },
    });
    const before = [service('web-v1', { selector: V1 }), deployment('web-v1', V1), apiGateway, httpRoute('web-v1')];
    const after = [service('web-v2', { selector: V2 }), deployment('web-v2', V2), apiGateway, httpRoute('web-v2')];
    // WHEN / THEN
    expect(kinds(planTransition([], before))).toEqual([
      [PhaseKind.PREPARE, ['Service/web-v1', 'Deployment/web-v1', 'Gateway/gw']],
      [PhaseKind.ROUTE, ['HTTPRoute/web']],
    ]);
    expect(kinds(planTransition(before, after))).toEqual([
      [PhaseKind.PREPARE, ['Service/web-v2', 'Deployment/web-v2']],
      [PhaseKind.ROUTE, ['HTTPRoute/web']],
      [PhaseKind.DELETE, ['Service/web-v1', 'Deployment/web-v1']],
    ]);
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

describe('planTransition, edge cases', () => {
  const sts = (name: string, labels: Record<string, string>, replicas?: number) => {
    const m = deployment(name, labels, { kind: 'StatefulSet', replicas: replicas ?? 1 });
    if (replicas === undefined) {
      delete m.spec.replicas;
    }
    return m;
  };
  const image = (m: any, img: string) => ({ ...m, spec: { ...m.spec, template: { ...m.spec.template, spec: { containers: [{ name: 'web', image: img }] } } } });
  const subsetsOf = (m: any) => m.spec.subsets.map((s: any) => s.name);

  test('a new image without a replica change is prepared before the routes, not retired', () => {
    const before = [deployment('web-v1', V1, { replicas: 3 }), vs('v1')];
    const after = [image(deployment('web-v1', V1, { replicas: 3 }), 'img:2'), vs('v1')];
    expect(kinds(planTransition(before, after))).toEqual([[PhaseKind.PREPARE, ['Deployment/web-v1']]]);
  });

  test('between two non-zero counts, growing is prepared and shrinking retired', () => {
    expect(kinds(planTransition([deployment('w', V1, { replicas: 2 })], [deployment('w', V1, { replicas: 3 })]))).toEqual([[PhaseKind.PREPARE, ['Deployment/w']]]);
    expect(kinds(planTransition([deployment('w', V1, { replicas: 3 })], [deployment('w', V1, { replicas: 2 })]))).toEqual([[PhaseKind.RETIRE, ['Deployment/w']]]);
  });

  test('StatefulSets and ReplicaSets scale like Deployments; a missing count is 1', () => {
    expect(kinds(planTransition([sts('db', V1, 3)], [sts('db', V1, 1)]))).toEqual([[PhaseKind.RETIRE, ['StatefulSet/db']]]);
    expect(kinds(planTransition([sts('db', V1)], [sts('db', V1, 0)]))).toEqual([[PhaseKind.RETIRE, ['StatefulSet/db']]]);
    expect(kinds(planTransition([sts('db', V1, 2)], [sts('db', V1)]))).toEqual([[PhaseKind.RETIRE, ['StatefulSet/db']]]);
    expect(kinds(planTransition([sts('db', V1, 0)], [sts('db', V1)]))).toEqual([[PhaseKind.PREPARE, ['StatefulSet/db']]]);
    const rs = (replicas: number) => deployment('rs', V1, { kind: 'ReplicaSet', replicas });
    expect(kinds(planTransition([rs(2)], [rs(1)]))).toEqual([[PhaseKind.RETIRE, ['ReplicaSet/rs']]]);
    // Other kinds with a spec.replicas field are not workloads this module scales.
    const other = (replicas: number) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' }, spec: { replicas } });
    expect(kinds(planTransition([other(2)], [other(1)]))).toEqual([[PhaseKind.PREPARE, ['Widget/x']]]);
  });

  test('a DestinationRule whose old and new states share subsets keeps each subset once while both are needed', () => {
    const phases = planTransition([dr('v1', 'v2'), vs('v1', 'v2')], [dr('v2', 'v3'), vs('v2', 'v3')]);
    expect(phases.map((p) => [p.kind, p.objects.filter((o) => o.kind === 'DestinationRule').map(subsetsOf)])).toEqual([
      [PhaseKind.PREPARE, [['v2', 'v3', 'v1']]],
      [PhaseKind.ROUTE, []],
      [PhaseKind.RETIRE, [['v2', 'v3']]],
    ]);
  });

  test('a DestinationRule that only loses subsets is retired; one that only gains, or changes otherwise, is prepared', () => {
    expect(kinds(planTransition([dr('v1', 'v2')], [dr('v2')]))).toEqual([[PhaseKind.RETIRE, ['DestinationRule/website']]]);
    expect(kinds(planTransition([dr('v1')], [dr('v1', 'v2')]))).toEqual([[PhaseKind.PREPARE, ['DestinationRule/website']]]);
    const policy = { ...dr('v1'), spec: { ...dr('v1').spec, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } };
    expect(kinds(planTransition([dr('v1')], [policy]))).toEqual([[PhaseKind.PREPARE, ['DestinationRule/website']]]);
    const bare = { ...dr('v1'), spec: { host: 'website' } };
    expect(kinds(planTransition([bare], [dr('v1')]))).toEqual([[PhaseKind.PREPARE, ['DestinationRule/website']]]);
    expect(kinds(planTransition([dr('v1')], [bare]))).toEqual([[PhaseKind.RETIRE, ['DestinationRule/website']]]);
  });

  test('takes manifests as users bring them: workloads and DestinationRules without spec, subsets that are not objects', () => {
    const bare = (kind: string, name: string) => ({ apiVersion: kind === 'Deployment' ? 'apps/v1' : 'networking.istio.io/v1', kind, metadata: { name } });
    // A workload without spec runs 1 pod
    expect(kinds(planTransition([deployment('w', V1, { replicas: 2 })], [bare('Deployment', 'w')]))).toEqual([[PhaseKind.RETIRE, ['Deployment/w']]]);
    expect(kinds(planTransition([bare('Deployment', 'w')], [deployment('w', V1, { replicas: 0 })]))).toEqual([[PhaseKind.RETIRE, ['Deployment/w']]]);
    // A DestinationRule without spec has no subsets
    expect(kinds(planTransition([bare('DestinationRule', 'website')], [dr('v1')]))).toEqual([[PhaseKind.PREPARE, ['DestinationRule/website']]]);
    expect(kinds(planTransition([dr('v1')], [bare('DestinationRule', 'website')]))).toEqual([[PhaseKind.RETIRE, ['DestinationRule/website']]]);
    // A subset entry that is not an object is kept until the routes change, like any other
    const odd = { ...dr('v1'), spec: { host: 'website', subsets: [null, { name: 'v1', labels: { version: 'v1' } }] } };
    const phases = planTransition([odd], [dr('v2')]);
    expect(phases.map((p) => [p.kind, p.objects.map((o) => o.spec.subsets)])).toEqual([
      [PhaseKind.PREPARE, [[{ name: 'v2', labels: { version: 'v2' } }, null, { name: 'v1', labels: { version: 'v1' } }]]],
      [PhaseKind.RETIRE, [[{ name: 'v2', labels: { version: 'v2' } }]]],
    ]);
  });

  test('objects are told apart by apiVersion, kind, namespace and name; no namespace is default', () => {
    expect(objectKey(deployment('w', V1))).toBe('apps/v1/Deployment/default/w');
    expect(objectKey(deployment('w', V1, { ns: 'shop' }))).toBe('apps/v1/Deployment/shop/w');
    expect(planTransition([deployment('w', V1, { ns: 'default' })], [deployment('w', V1)]).map((p) => p.kind)).toEqual([PhaseKind.PREPARE]);
    expect(kinds(planTransition([deployment('w', V1, { ns: 'a' })], [deployment('w', V1, { ns: 'b' })]))).toEqual([
      [PhaseKind.PREPARE, ['Deployment/w']], [PhaseKind.DELETE, ['Deployment/w']],
    ]);
  });
});

describe('planTransition over generated topologies', () => {
  // Each version: a Deployment or StatefulSet (or none), its count and image; a DestinationRule
  // with some subsets; a VirtualService routing to some of them. Only states whose routes name
  // live subsets with pods are generated: the transition must keep that true at every phase.
  const versions = ['a', 'b', 'c'] as const;
  const labels = (v: string) => ({ app: 'web', version: v });
  const workload = fc.option(fc.record({ kind: fc.constantFrom('Deployment', 'StatefulSet'), replicas: fc.integer({ min: 0, max: 3 }), image: fc.constantFrom('1', '2') }), { nil: undefined });
  const state = fc.record({
    workloads: fc.tuple(workload, workload, workload),
    subsets: fc.subarray([...versions]),
    routed: fc.subarray([...versions], { minLength: 1 }),
    weights: fc.boolean(),
  }).filter((s) => s.routed.every((v) => s.subsets.includes(v) && (s.workloads[versions.indexOf(v)]?.replicas ?? 0) > 0));
  const manifests = (s: typeof state extends fc.Arbitrary<infer T> ? T : never): any[] => [
    service('web', { selector: { app: 'web' } }),
    ...s.workloads.flatMap((w, i) => (w === undefined ? [] : [{
      ...deployment(`web-${versions[i]}`, labels(versions[i]), { kind: w.kind, replicas: w.replicas }),
      ...{ spec: { replicas: w.replicas, selector: { matchLabels: labels(versions[i]) }, template: { metadata: { labels: labels(versions[i]) }, spec: { containers: [{ name: 'web', image: `web:${w.image}` }] } } } },
    }])),
    destinationRule('web', 'web', s.subsets.map((v) => [v, labels(v)])),
    virtualService('web', [{ route: s.routed.map((v, i) => route('web', v, s.weights && s.routed.length > 1 ? (i === 0 ? 100 - 10 * (s.routed.length - 1) : 10) : undefined)) }], { gateways: null, hosts: ['web'] }),
  ];

  test('no phase leaves a route naming a subset that is missing or has no pods, and the phases lead exactly to the new state', () => {
    fc.assert(fc.property(state, state, (from, to) => {
      const before = manifests(from);
      const after = manifests(to);
      const phases = planTransition(before, after);
      let live = before;
      const routesBefore = before.filter((m) => m.kind === 'VirtualService');
      for (const phase of phases) {
        live = applyPhase(live, phase);
        for (const [key, pods] of podsBehind(live)) {
          expect(pods, `${phase.kind}: ${key}`).toBeGreaterThan(0);
        }
        // What the new routes still name keeps its pods even under the old routes (a stage applied in one go).
        if (phase.kind === PhaseKind.RETIRE || phase.kind === PhaseKind.DELETE) {
          const stillRouted = new Set(podsBehind(after).keys());
          for (const [key, pods] of podsBehind(live.filter((m) => m.kind !== 'VirtualService').concat(routesBefore))) {
            if (stillRouted.has(key)) {
              expect(pods, `${phase.kind} under the old routes: ${key}`).toBeGreaterThan(0);
            }
          }
        }
      }
      // The phases lead exactly to the new state, each kind of phase at most once, in order.
      expect(live.map(objectKey).sort()).toEqual(after.map(objectKey).sort());
      for (const m of after) {
        expect(live.find((l) => objectKey(l) === objectKey(m))).toEqual(m);
      }
      const order = Object.values(PhaseKind);
      expect(phases.map((p) => order.indexOf(p.kind))).toEqual([...new Set(phases.map((p) => order.indexOf(p.kind)))].sort());
      expect(phases.every((p) => p.objects.length > 0)).toBe(true);
    }), { numRuns: 400, seed: 20261127 });
  });
});
