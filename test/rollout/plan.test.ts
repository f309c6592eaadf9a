import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration } from 'cdk8s';
import fc from 'fast-check';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { progressivePlan, tutorialPlan } from '../../apps/plan';
import { TUTORIAL_STAGES, TutorialChart } from '../../apps/tutorial-chart';
import { Percentage, PhaseKind, PlanStage, RequestMatch, RolloutPlan, RolloutPlanProps, RolloutStep, Weight } from '../../lib';
import { RECORD_FILE } from '../../lib/rollout/owned-folder';
import { loads, planViolations } from '../support/invariants';
import { allSchemaErrors } from '../support/synth';
import { planSites } from '../support/fixtures';

const root = join(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'plan-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const { site, gatewayApiSite } = planSites(3, 2);

describe('the tutorial plan', () => {
  test('its stages are exactly the tutorial app\'s CANARY_STAGE outputs', () => {
    const stages = tutorialPlan().stages();
    expect(stages.map((s) => s.state.name)).toEqual([...TUTORIAL_STAGES]);
    for (const stage of stages) {
      const app = new App();
      const chart = new TutorialChart(app, 'tutorial', { stage: stage.state.name as never });
      // The tutorial app also applies (and enrols) its Namespace; a plan leaves the namespace alone.
      expect(stage.manifests, stage.state.name).toEqual(chart.toJson().filter((m: { kind: string }) => m.kind !== 'Namespace'));
    }
  });

  test('keeps every invariant in every phase', () => {
    expect(planViolations(tutorialPlan())).toEqual([]);
  });

  test('orders subset-v1: the DestinationRule first, then the route naming version-1', () => {
    const stage = tutorialPlan().stages()[1];
    expect(stage.phases.map((p) => [p.kind, p.objects.map((o) => `${o.kind}/${o.metadata?.name}`)])).toEqual([
      [PhaseKind.PREPARE, ['DestinationRule/website']],
      [PhaseKind.ROUTE, ['VirtualService/website-virtual-service']],
    ]);
  });

  test('plan.md lists the stages, their traffic and the commands with pauses', () => {
    const markdown = tutorialPlan().markdown('the tutorial');
    expect(markdown).toMatchSnapshot();
    expect(markdown).toContain('| `04-header-route` | header-only | header qa exactly "canary-test": 100% to subset version-2 (1 pod); any other request: 100% to subset version-1 (4 pods) |');
    expect(markdown).toContain('| `05-weighted` | weight 20% | every request: 20% to subset version-2 (1 pod), 80% to subset version-1 (4 pods) |');
    expect(markdown).toContain([
      'sleep 20 &&   # let istiod push the previous stage to every proxy',
      'kubectl apply -f 02-subset-v1/1-prepare.yaml &&',
      '# or, up to Istio 1.22 with its status on: kubectl wait --for=condition=Reconciled -n default destinationrules.networking.istio.io/website --timeout=5m',
      'sleep 20 &&   # let istiod push the previous phase to every proxy',
      'kubectl apply -f 02-subset-v1/2-route.yaml',
    ].join('\n'));
    expect(markdown).toContain('kubectl rollout status deployment/web-v2 -n default --timeout=5m');
    // The tutorial starts from an empty cluster: no stage 00, no pause before its first stage
    expect(markdown).toContain('```bash\nkubectl apply -f 01-v1-only/1-prepare.yaml &&\n');
    // every command of a stage but its last is joined to the next: a failed rollout stops the stage
    expect(markdown).toContain('kubectl rollout status deployment/web-v1 -n default --timeout=5m &&\n');
    expect(markdown).toContain('Do not apply a stage folder in one go');
    expect(markdown).not.toContain('00-');
  });
});

describe('the progressive plan', () => {
  test('deploy, header, 5, 25, 50, promote, finalize, keeping every invariant', () => {
    const plan = progressivePlan();
    expect(plan.stages().map((s) => s.state.folder)).toEqual([
      '01-deploy-canary', '02-header-only', '03-weight-5', '04-weight-25', '05-weight-50', '06-promote', '07-finalize',
    ]);
    expect(planViolations(plan)).toEqual([]);
  });

  test('finalize retires the old subset and deletes its Deployment, after promote stopped naming it', () => {
    const stages = progressivePlan().stages();
    const promote = stages[5];
    const finalize = stages[6];
    expect(JSON.stringify(promote.manifests.find((m) => m.kind === 'VirtualService'))).not.toContain('version-1');
    expect(finalize.phases.map((p) => [p.kind, p.objects.map((o) => `${o.kind}/${o.metadata?.name}`)])).toEqual([
      [PhaseKind.RETIRE, ['DestinationRule/website']],
      [PhaseKind.DELETE, ['Deployment/web-v1']],
    ]);
  });

  test('sizes the canary for its share and brings it to the stable\'s count at promote: no pod carries more than 25%', () => {
    // GIVEN the tutorial's topology: 4 stable pods took every request before the release (25% each)
    const stages = progressivePlan().stages();
    // THEN the canary grows before its weight does, and keeps its pods once it is the stable version
    const pods = (s: PlanStage, name: string) => s.manifests.find((m) => m.kind === 'Deployment' && m.metadata?.name === name)?.spec?.replicas;
    expect(stages.map((s) => [s.state.name, pods(s, 'web-v1'), pods(s, 'web-v2')])).toEqual([
      ['deploy-canary', 4, 1], ['header-only', 4, 1], ['weight-5', 4, 1], ['weight-25', 4, 1],
      ['weight-50', 4, 2], ['promote', 4, 4], ['finalize', undefined, 4],
    ]);
    expect(stages.map((s) => loads(s.manifests).map((l) => l.share / l.pods))).toEqual([[25], [25], [5, 23.75], [25, 18.75], [25, 12.5], [25], [25]]);
    // AND the canary scales up in the phase before the routes that give it its share
    expect(stages[4].phases.map((p) => [p.kind, p.objects.map((o) => `${o.kind}/${o.metadata?.name}`)])).toEqual([
      [PhaseKind.PREPARE, ['Deployment/web-v2']],
      [PhaseKind.ROUTE, ['VirtualService/website-virtual-service']],
    ]);
  });

  test('every object of every stage validates against the schemas', () => {
    for (const plan of [tutorialPlan(), progressivePlan()]) {
      for (const stage of plan.stages()) {
        expect(allSchemaErrors(stage.manifests), stage.state.folder).toEqual([]);
      }
    }
  });
});

describe('RolloutPlan', () => {
  test('fails if scaleDownStable comes with a sticky session: the stable\'s pinned users do not follow its weight', () => {
    const steps = [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(25)), RolloutStep.weight(Weight.percent(75))];
    expect(() => new RolloutPlan({ ...site, steps, scaleDownStable: true, release: { stickySession: { maxAge: Duration.hours(24) } } }))
      .toThrow('scaleDownStable cannot be used with release.stickySession: users whose cookie pins them to the stable version keep coming back to it whatever its weight');
    expect(new RolloutPlan({ ...site, steps, release: { stickySession: { maxAge: Duration.hours(24) } } }).stages().map((s) => s.state.folder)).toEqual(['01-deploy-canary', '02-weight-25', '03-weight-75']);
  });

  test('scaleDownStable shrinks the stable version after its share went, and grows it again before a rollback', () => {
    // GIVEN 4 stable pods
    const website = { ...site.website, versions: [{ name: 'v1', image: 'shop:1', replicas: 4 }, { name: 'v2', image: 'shop:2', replicas: 1 }] };
    // WHEN
    const plan = new RolloutPlan({
      ...site, website, scaleDownStable: true,
      steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(50)), RolloutStep.weight(Weight.percent(75)), RolloutStep.rollback()],
    });
    // THEN
    const stages = plan.stages();
    const replicas = (s: PlanStage) => s.manifests.filter((m) => m.kind === 'Deployment').map((m) => m.spec.replicas);
    expect(stages.map(replicas)).toEqual([[4, 1], [2, 2], [1, 3], [4, 3]]);
    expect(stages[1].phases.map((p) => p.kind)).toEqual([PhaseKind.PREPARE, PhaseKind.ROUTE, PhaseKind.RETIRE]);
    expect(stages[3].phases.map((p) => [p.kind, p.objects.map((o) => o.spec?.replicas)])).toEqual([[PhaseKind.PREPARE, [4]], [PhaseKind.ROUTE, [undefined]]]);
    expect(planViolations(plan)).toEqual([]);
  });

  test('an explicit canaryReplicas is used as given when it is enough', () => {
    const plan = new RolloutPlan({ ...site, steps: [RolloutStep.deployCanary({ canaryReplicas: 1 }), RolloutStep.weight(Weight.percent(30), { canaryReplicas: 3 })] });
    expect(plan.stages().map((s) => s.manifests.find((m) => m.kind === 'Deployment' && m.spec.template.metadata.labels.version === 'v2')?.spec.replicas)).toEqual([1, 3]);
  });

  test('fails if a step\'s canaryReplicas is too few for its share, unless maxPodLoad is raised', () => {
    // GIVEN 3 stable pods (33.33% each)
    const steps = [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(50), { canaryReplicas: 1 })];
    // THEN
    expect(() => new RolloutPlan({ ...site, steps })).toThrow(
      'steps[1] (weight 50%) sets canaryReplicas to 1, too few: subset v2 takes 50% of the requests on 1 pod (50% per pod), above the stable\'s 33.33% per pod before the release (100% over 3 pods): it needs at least 2 pods, or a higher maxPodLoad',
    );
    // AND the README shows that message word for word
    const message = (() => {
      try {
        new RolloutPlan({ ...site, steps });
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(readFileSync(join(root, 'docs', 'rollout-plans.md'), 'utf8')).toContain(`\`\`\`text\n${message}\n\`\`\``);
    expect(() => new RolloutPlan({ ...site, maxPodLoad: 1.5, steps })).not.toThrow();
    expect(() => new RolloutPlan({ ...site, maxPodLoad: 0.9, steps })).toThrow('maxPodLoad must be a number of at least 1');
    expect(() => RolloutStep.weight(Weight.percent(5), { canaryReplicas: 0 })).toThrow('canaryReplicas must be a whole number of at least 1, got 0');
  });

  test('errors and warnings while a stage is synthesized name the stage', () => {
    // GIVEN a rollback that scales the canary to 0 (its subset then selects no pods: a warning)
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      new RolloutPlan({ ...site, steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(10)), RolloutStep.rollback({ scaleCanaryToZero: true })] });
      // THEN
      const written = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(written).toMatch(/^stage 04-rollback-scale-down: WARNING/m);
      expect(written.split('\n').filter((l) => l !== '' && !l.startsWith('stage 04-rollback-scale-down: '))).toEqual([]);
    } finally {
      stderr.mockRestore();
    }
    // AND a release the constructs refuse names the stage
    expect(() => new RolloutPlan({ ...site, release: { timeout: 5 as never }, steps: [RolloutStep.deployCanary()] }))
      .toThrow(/^stage 00-steady-state: timeout must be/);
    expect(() => new RolloutPlan({ ...site, release: { mirrorToCanary: 5 as never }, steps: [RolloutStep.deployCanary()] }))
      .toThrow('stage 01-deploy-canary: mirrorToCanary must be a Percentage (e.g. Percentage.of(10)), got 5');
  });

  test('rollback with scale-down keeps every invariant, the canary scaled down only after routes left it', () => {
    const plan = new RolloutPlan({ ...site, steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(30)), RolloutStep.rollback({ scaleCanaryToZero: true })] });
    expect(planViolations(plan)).toEqual([]);
    const [, , rollback, scaleDown] = plan.stages();
    expect(rollback.phases.map((p) => p.kind)).toEqual([PhaseKind.ROUTE]);
    expect(scaleDown.phases.map((p) => [p.kind, p.objects.map((o) => o.spec?.replicas)])).toEqual([[PhaseKind.RETIRE, [0]]]);
  });

  test('write() makes a folder per stage with phase files in name order, deletions apart, and plan.md', () => {
    const out = join(scratch, 'progressive');
    progressivePlan().write(out, 'progressive release');
    expect(readdirSync(out)).toEqual([RECORD_FILE, '00-steady-state', '01-deploy-canary', '02-header-only', '03-weight-5', '04-weight-25', '05-weight-50', '06-promote', '07-finalize', 'plan.md']);
    expect(readdirSync(join(out, '00-steady-state'))).toEqual(['1-prepare.yaml', '2-route.yaml']);
    expect(readdirSync(join(out, '01-deploy-canary'))).toEqual(['1-prepare.yaml']);
    expect(readdirSync(join(out, '07-finalize'))).toEqual(['3-retire.yaml', 'delete']);
    expect(readdirSync(join(out, '07-finalize', 'delete'))).toEqual(['4-delete.yaml']);
    expect(readFileSync(join(out, 'plan.md'), 'utf8')).toContain('kubectl delete -f 07-finalize/delete/4-delete.yaml   # not kubectl apply -R: it would re-create what delete/ holds');
  });

  test('write() again into its own folder removes exactly the files it wrote, keeping the user\'s', () => {
    // GIVEN a folder holding the progressive plan and a file of the user's
    const out = join(scratch, 'rewrite');
    progressivePlan().write(out, 'progressive release');
    writeFileSync(join(out, 'NOTES.md'), 'mine');
    // WHEN a shorter plan is written there
    new RolloutPlan({ ...site, steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(10))] }).write(out, 'short');
    // THEN the stale stages are gone and the user's file stays
    expect(readdirSync(out)).toEqual([RECORD_FILE, '00-steady-state', '01-deploy-canary', '02-weight-10', 'NOTES.md', 'plan.md']);
    expect(readFileSync(join(out, 'NOTES.md'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'plan.md'), 'utf8')).toContain('# Rollout plan: short');
  });

  test('fails if write() is given a folder with files it did not write, a file, or the current folder, deleting nothing', () => {
    // GIVEN a folder of the user's and a file
    const theirs = join(scratch, 'theirs');
    mkdirSync(theirs);
    writeFileSync(join(theirs, '.gitconfig'), '[user]');
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'data');
    const plan = tutorialPlan();
    // WHEN / THEN
    expect(() => plan.write(theirs, 't')).toThrow(`RolloutPlan.write: refusing to write into ${theirs}: the folder is not empty and RolloutPlan.write did not write it`);
    expect(() => plan.write(file, 't')).toThrow(`RolloutPlan.write: refusing to write into ${file}: it is a file, not a folder`);
    expect(readdirSync(theirs)).toEqual(['.gitconfig']);
    expect(readFileSync(file, 'utf8')).toBe('data');
    // GIVEN the process in a temporary folder of its own
    const cwd = process.cwd();
    const here = join(scratch, 'cwd', 'project');
    mkdirSync(here, { recursive: true });
    writeFileSync(join(here, 'package.json'), '{}');
    process.chdir(here);
    try {
      expect(() => plan.write('.', 't')).toThrow('RolloutPlan.write: refusing to write into .: it is the current folder or one of its parents');
      expect(() => plan.write('..', 't')).toThrow('RolloutPlan.write: refusing to write into ..: it is the current folder or one of its parents');
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(here)).toEqual(['package.json']);
  });

  test('pauses between phases and between stages: 20 s by default (istiod\'s 10 s debounce and the push), or the Durations given', () => {
    const steps = [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(10)), RolloutStep.rollback({ scaleCanaryToZero: true })];
    const pauses = (md: string) => [...md.matchAll(/^sleep (\d+) && +# let istiod push the previous (phase|stage)/gm)].map((m) => `${m[2]} ${m[1]}`);
    // 00: prepare, route; 01: prepare; 02: route; 03: route; 04: retire
    expect(pauses(new RolloutPlan({ ...site, steps }).markdown('x'))).toEqual(['phase 20', 'stage 20', 'stage 20', 'stage 20', 'stage 20']);
    const custom = new RolloutPlan({ ...site, pauseBetweenPhases: Duration.seconds(30), pauseBetweenStages: Duration.minutes(1), steps });
    expect(pauses(custom.markdown('x'))).toEqual(['phase 30', 'stage 60', 'stage 60', 'stage 60', 'stage 60']);
    expect(custom.markdown('x')).toContain('the commands pause (30 s and 60 s here)');
    expect(() => new RolloutPlan({ ...site, pauseBetweenPhases: 30 as never, steps: [RolloutStep.deployCanary()] }))
      .toThrow('pauseBetweenPhases must be a Duration (e.g. Duration.seconds(5)), got 30');
    expect(() => new RolloutPlan({ ...site, pauseBetweenStages: Duration.seconds(0), steps: [RolloutStep.deployCanary()] }))
      .toThrow('pauseBetweenStages must be a positive Duration, got 0ms');
  });

  test('a plan that starts from the steady state writes it as stage 00, to diff against the cluster or apply to an empty one', () => {
    // GIVEN
    const plan = new RolloutPlan({ ...site, steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(10))] });
    // WHEN
    const start = plan.startStage()!;
    // THEN it is the state before stage 01, built from an empty cluster
    expect(start.state.folder).toBe('00-steady-state');
    expect(start.manifests).toEqual(plan.manifestsOf(plan.before!));
    expect(start.phases.map((p) => [p.kind, p.objects.map((o) => o.kind)])).toEqual([
      [PhaseKind.PREPARE, ['Service', 'Deployment', 'Gateway', 'DestinationRule']],
      [PhaseKind.ROUTE, ['VirtualService']],
    ]);
    expect(plan.writtenStages().map((s) => s.state.folder)).toEqual(['00-steady-state', '01-deploy-canary', '02-weight-10']);
    const markdown = plan.markdown('x');
    expect(markdown).toContain('`kubectl diff -f 00-steady-state/` shows whether the live cluster is there');
    expect(markdown).toContain('```bash\nkubectl diff -f 00-steady-state/   # no output: the live cluster is where the plan starts\nkubectl apply -f 00-steady-state/1-prepare.yaml &&\n');
    expect(markdown).toContain('| `00-steady-state` | steady state | every request: 100% to subset v1 (3 pods) |');
    // AND the folders applied in order to an empty cluster keep every invariant
    const fromEmpty = { before: undefined, manifestsOf: plan.manifestsOf.bind(plan), stages: () => plan.writtenStages() } as unknown as RolloutPlan;
    expect(planViolations(fromEmpty)).toEqual([]);
    // AND a plan that starts from an empty cluster has no stage 00
    expect(tutorialPlan().startStage()).toBeUndefined();
  });

  test('with the Gateway API, prepares the per-version Services and Deployments before the HTTPRoute names them, and deletes them after', () => {
    // GIVEN
    const plan = new RolloutPlan({
      ...gatewayApiSite, steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(50)), RolloutStep.promote(), RolloutStep.finalize()],
    });
    // WHEN
    const phases = plan.writtenStages().map((s) => [s.state.folder, s.phases.map((p) => [p.kind, p.objects.map((o) => `${o.kind}/${o.metadata?.name}`)])]);
    // THEN
    expect(phases).toEqual([
      ['00-steady-state', [[PhaseKind.PREPARE, ['Service/shop', 'Deployment/release-website-v1-c89a6d98', 'Gateway/shop', 'Service/shop-v1']], [PhaseKind.ROUTE, ['HTTPRoute/shop']]]],
      ['01-deploy-canary', [[PhaseKind.PREPARE, ['Deployment/release-website-v2-c81163d7', 'Service/shop-v2']]]],
      ['02-weight-50', [[PhaseKind.ROUTE, ['HTTPRoute/shop']]]],
      ['03-promote', [[PhaseKind.PREPARE, ['Deployment/release-website-v2-c81163d7']], [PhaseKind.ROUTE, ['HTTPRoute/shop']]]],
      ['04-finalize', [[PhaseKind.DELETE, ['Deployment/release-website-v1-c89a6d98', 'Service/shop-v1']]]],
    ]);
    expect(plan.stages()[1].manifests.find((m) => m.kind === 'HTTPRoute')?.spec.rules[0].backendRefs)
      .toEqual([{ name: 'shop-v2', port: 80, weight: 50 }, { name: 'shop-v1', port: 80, weight: 50 }]);
    expect(loads(plan.stages()[1].manifests)).toEqual([
      { key: 'shop-v2.default.svc.cluster.local#', share: 50, pods: 2 },
      { key: 'shop-v1.default.svc.cluster.local#', share: 50, pods: 3 },
    ]);
    expect(plan.markdown('x')).toContain('| `02-weight-50` | weight 50% | every request: 50% to shop-v2 (2 pods), 50% to shop-v1 (3 pods) |');
    expect(plan.markdown('x')).toContain('version v1 alone, with its Service, taking every request.');
    expect(plan.markdown('x')).toContain('so that every proxy has a Service before a route names it');
    expect(plan.markdown('x')).not.toContain('subset');
    // AND no word of the Reconciled condition, which istiod never set on Gateway API objects
    expect(plan.markdown('x')).not.toContain('Reconciled');
    expect(plan.markdown('x')).toContain('The conditions istiod sets on an HTTPRoute (`Accepted`, `ResolvedRefs`) say that it took the route, not');
    expect(planViolations(plan)).toEqual([]);
    for (const stage of plan.writtenStages()) {
      expect(allSchemaErrors(stage.manifests), stage.state.folder).toEqual([]);
    }
  });

  test('fails if a Gateway API plan is given an option the Gateway API cannot express, with the renderer\'s message', () => {
    // (canaryFault applies from the first stage with a route only the canary takes.)
    const steps = [RolloutStep.deployCanary(), RolloutStep.headerOnly(RequestMatch.header('qa', 'yes'))];
    const refused: Array<[Partial<RolloutPlanProps>, string]> = [
      [{ release: { retries: { attempts: 2 } as never } }, 'retries is not supported with the Gateway API'],
      [{ release: { canaryFault: { abort: { httpStatus: 503, percentage: Percentage.of(10) } } as never } }, 'canaryFault is not supported with the Gateway API'],
      [{ release: { trafficPolicy: { connectionPool: { maxConnections: 100 } } } }, 'trafficPolicy is not supported with the Gateway API'],
      [{ release: { versionTrafficPolicies: { v2: { connectionPool: { maxConnections: 100 } } } } }, 'versionTrafficPolicies is not supported with the Gateway API'],
      [{ destinationRuleName: 'shop' }, 'destinationRuleName is not supported with the Gateway API'],
    ];
    for (const [props, message] of refused) {
      expect(() => new RolloutPlan({ ...gatewayApiSite, ...props, steps }), message).toThrow(message);
    }
  });

  test('fails if canaryFault would apply at no stage, rather than drop it; and at once with the Gateway API, whatever the steps', () => {
    // GIVEN steps whose only canary traffic is an unsticky weighted split: no route takes the canary's requests alone
    const fault = { abort: { httpStatus: 503, percentage: Percentage.of(10) } } as never;
    const steps = [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(20))];
    // WHEN / THEN
    expect(() => new RolloutPlan({ ...site, release: { canaryFault: fault }, steps }))
      .toThrow('release.canaryFault applies to the requests only the canary takes, but no stage of the plan has such a route');
    expect(() => new RolloutPlan({ ...gatewayApiSite, release: { canaryFault: fault }, steps }))
      .toThrow('release.canaryFault is not supported with the Gateway API v1.5.1 standard channel (HTTPRoute has no fault injection); use api: TrafficApi.ISTIO on the IstioEntry');
    // a header step gives the fault a route to apply to
    expect(() => new RolloutPlan({ ...site, release: { canaryFault: fault }, steps: [RolloutStep.deployCanary(), RolloutStep.headerOnly(RequestMatch.header('qa', 'yes'))] })).not.toThrow();
  });

  test('fails at once on a bad plan, and on a step that changes nothing', () => {
    expect(() => new RolloutPlan({ ...site, steps: [RolloutStep.weight(Weight.percent(5))] })).toThrow('sends traffic to the canary before it is deployed');
    expect(() => new RolloutPlan({ ...site, canary: 'v3', steps: [RolloutStep.deployCanary()] })).toThrow('canary must be a version of the website ("v1", "v2"), got "v3"');
    expect(() => new RolloutPlan({ ...site, steps: [RolloutStep.deployCanary(), RolloutStep.rollback()] }))
      .toThrow('steps[1] (rollback) changes nothing from the stage before it; remove it');
  });

  test('holds its invariants for generated plans', () => {
    const warnings = checkGeneratedPlans(site, 500);
    // The only warning: a rollback that scales the canary to zero leaves its subset with no pods.
    expect(warnings.filter((w) => !/^stage \d\d-rollback-scale-down: WARNING subset-scaled-to-zero /.test(w))).toEqual([]);
  });

  test('holds its invariants for generated plans with the Gateway API', () => {
    const warnings = checkGeneratedPlans(gatewayApiSite, 150);
    expect(warnings).toEqual([]);
  });
});

/**
 * Checks the invariants on random valid plans of `base` (Istio's or the Gateway API's entry);
 * returns the warnings the stages printed.
 */
function checkGeneratedPlans(base: typeof site | typeof gatewayApiSite, numRuns: number): string[] {
  // Random valid plans: an optional start, the canary deployed, header and weight steps with
  // weights going forward, then an ending: none, promote, promote and finalize, or rollback.
  const step = fc.oneof(
    fc.record({ kind: fc.constant('header'), value: fc.stringMatching(/^[a-z]{1,6}$/) }),
    fc.record({ kind: fc.constant('weight'), keep: fc.boolean() }),
  );
  const arbitrary = fc.record({
    start: fc.constantFrom('none', 'stable', 'bare-then-subsets'),
    middle: fc.array(step, { maxLength: 5 }),
    weights: fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 5, maxLength: 5 }).map((w) => [...w].sort((a, b) => a - b)),
    end: fc.constantFrom('none', 'promote', 'finalize', 'rollback', 'rollback-scale-down', 'promote-rollback'),
    // The stable's and the canary's own counts differ; the plan sizes the canary for its share.
    stableReplicas: fc.integer({ min: 1, max: 6 }),
    canaryReplicas: fc.integer({ min: 1, max: 3 }),
    maxPodLoad: fc.constantFrom(1, 1.5, 2),
    scaleDownStable: fc.boolean(),
    mirror: fc.option(fc.constantFrom(5, 12.5, 50), { nil: undefined }),
    // Canary pods given explicitly on weight steps (enough whatever the share, mirrored copies included: twice the stable's count or more).
    explicit: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  });
  let checked = 0;
  // The verification's warnings go to stderr; kept here and returned, not printed 80 times.
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  let warnings: string[];
  try {
    fc.assert(fc.property(arbitrary, (input) => {
      const steps: RolloutStep[] = [];
      if (input.start === 'stable') {
        steps.push(RolloutStep.stableOnly({ name: 's0' }));
      } else if (input.start === 'bare-then-subsets') {
        steps.push(RolloutStep.stableOnly({ subsets: false, name: 's0' }), RolloutStep.stableOnly({ name: 's1' }));
      }
      steps.push(RolloutStep.deployCanary({ name: 'deploy' }));
      let w = 0;
      input.middle.forEach((m, i) => {
        steps.push(m.kind === 'header'
          ? RolloutStep.headerOnly(RequestMatch.header('qa', `${m.value}-${i}`), { name: `m${i}` })
          : RolloutStep.weight(Weight.percent(input.weights[w++]), {
            keepMatches: m.keep, name: `m${i}`, ...(input.explicit !== undefined ? { canaryReplicas: 2 * input.stableReplicas + input.explicit } : {}),
          }));
      });
      const ending: Record<string, RolloutStep[]> = {
        'none': [],
        'promote': [RolloutStep.promote()],
        'finalize': [RolloutStep.promote(), RolloutStep.finalize()],
        'rollback': input.middle.length > 0 ? [RolloutStep.rollback()] : [],
        'rollback-scale-down': [RolloutStep.rollback({ scaleCanaryToZero: true })],
        'promote-rollback': [RolloutStep.promote(), RolloutStep.rollback()],
      };
      steps.push(...ending[input.end]);
      const versions = site.website.versions.map((v) => ({ ...v, replicas: v.name === site.stable ? input.stableReplicas : input.canaryReplicas }));
      let plan: RolloutPlan;
      try {
        plan = new RolloutPlan({
          ...base, website: { ...site.website, versions }, steps, maxPodLoad: input.maxPodLoad, scaleDownStable: input.scaleDownStable,
          release: input.mirror !== undefined ? { mirrorToCanary: Percentage.of(input.mirror) } : {},
        });
      } catch (err) {
        // Two steps in a row that render the same state are refused; the generator may make them.
        if ((err as Error).message.includes('changes nothing')) {
          return;
        }
        throw err;
      }
      checked++;
      expect(planViolations(plan, { maxPodLoad: input.maxPodLoad })).toEqual([]);
      // Stage 00 applied to an empty cluster leads to the state the plan starts from, safely.
      const start = plan.startStage();
      if (start !== undefined) {
        const fromEmpty = { before: undefined, manifestsOf: plan.manifestsOf.bind(plan), stages: () => [start] } as unknown as RolloutPlan;
        expect(planViolations(fromEmpty, { maxPodLoad: input.maxPodLoad })).toEqual([]);
      }
    }), { numRuns, seed: 20261125 });
  } finally {
    warnings = stderr.mock.calls.map((c) => String(c[0]));
    stderr.mockRestore();
  }
  expect(checked).toBeGreaterThanOrEqual(numRuns * 0.8);
  return warnings;
}

describe('the invariant checker', () => {
  test('finds a pod that carries more than a stable pod did before the release', () => {
    // GIVEN the old progressive plan: 50%, then 100%, on the canary's one pod, where 4 pods took every request
    const website = { serviceName: 'website', versions: [{ name: 'v1', image: 'web:1', replicas: 4 }, { name: 'v2', image: 'web:2', replicas: 1 }] };
    const plan = new RolloutPlan({
      ...site, website, maxPodLoad: 4,
      steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(50), { canaryReplicas: 1 }), RolloutStep.promote({ canaryReplicas: 1 })],
    });
    // THEN
    expect(planViolations(plan)).toEqual([
      '02-weight-50/route: website.default.svc.cluster.local#v2 takes 50% on 1 pods, above 25% per pod',
      '03-promote/route: website.default.svc.cluster.local#v2 takes 100% on 1 pods, above 25% per pod',
    ]);
    expect(planViolations(plan, { maxPodLoad: 4 })).toEqual([]);
  });

  test('finds, with the Gateway API, an HTTPRoute applied before its backend Service, a Service deleted while routed, and an overloaded pod', () => {
    // GIVEN a Gateway API plan whose steady state is applied route first
    const plan = new RolloutPlan({
      ...gatewayApiSite, maxPodLoad: 4,
      steps: [RolloutStep.deployCanary(), RolloutStep.weight(Weight.percent(50), { canaryReplicas: 1 }), RolloutStep.promote({ canaryReplicas: 1 })],
    });
    const start = plan.startStage()!;
    const reversed = { before: undefined, manifestsOf: plan.manifestsOf.bind(plan), stages: () => [{ ...start, phases: [...start.phases].reverse() }] } as unknown as RolloutPlan;
    // THEN
    expect(planViolations(reversed)).toEqual(expect.arrayContaining([
      '00-steady-state/route: routes to shop-v1.default.svc.cluster.local#, which has no pods',
    ]));
    // GIVEN the weight stage also deleting version 1's Service, which the routes still name
    const service = plan.manifestsOf(plan.before!).find((m) => m.kind === 'Service' && m.metadata?.name === 'shop-v1')!;
    const broken = plan.stages().map((s) => (s.state.name === 'weight-50' ? { ...s, phases: [...s.phases, { kind: PhaseKind.DELETE, objects: [service] }] } : s));
    const deleting = { before: plan.before, manifestsOf: plan.manifestsOf.bind(plan), stages: () => broken } as unknown as RolloutPlan;
    expect(planViolations(deleting, { maxPodLoad: 4 })).toEqual(expect.arrayContaining([
      '02-weight-50/delete: takes away shop-v1.default.svc.cluster.local#, which the previous stage\'s routes still name',
    ]));
    // AND 50% (once the canary is scaled down to 1), then 100%, on the canary's one pod, where 3 pods took every request
    expect(planViolations(plan)).toEqual([
      '02-weight-50/retire: shop-v2.default.svc.cluster.local# takes 50% on 1 pods, above 33.333333333333336% per pod',
      '03-promote/route: shop-v2.default.svc.cluster.local# takes 100% on 1 pods, above 33.333333333333336% per pod',
    ]);
    expect(planViolations(plan, { maxPodLoad: 4 })).toEqual([]);
  });

  test('finds a transition that routes before the subset is live, and one that retires a routed subset', () => {
    // GIVEN the tutorial plan with the phases of two stages reversed, as the tutorial's step 4 does
    const real = tutorialPlan();
    const stages = real.stages();
    const reversed = stages.map((s) => (s.state.name === 'subset-v1' ? { ...s, phases: [...s.phases].reverse() } : s));
    const fake = { before: real.before, manifestsOf: real.manifestsOf.bind(real), stages: () => reversed } as unknown as RolloutPlan;
    // THEN
    expect(planViolations(fake)).toEqual([
      expect.stringContaining('02-subset-v1/route: ERROR IST0101 VirtualService default/website-virtual-service: http rule 1 routes to subset "version-1"'),
      '02-subset-v1/route: routes to website.default.svc.cluster.local#version-1, which has no pods',
    ]);
    // GIVEN the progressive plan whose promote stage also drops version-1 from the DestinationRule
    const progressive = progressivePlan();
    const broken = progressive.stages().map((s) => (s.state.name === 'weight-50'
      ? { ...s, phases: [...s.phases, { kind: PhaseKind.RETIRE, objects: [progressive.stages()[6].manifests.find((m) => m.kind === 'DestinationRule')!] }] }
      : s));
    const fake2 = { before: progressive.before, manifestsOf: progressive.manifestsOf.bind(progressive), stages: () => broken } as unknown as RolloutPlan;
    expect(planViolations(fake2)).toEqual(expect.arrayContaining([
      expect.stringContaining('05-weight-50/retire: takes away website.default.svc.cluster.local#version-1, which the previous stage\'s routes still name'),
    ]));
  });
});
