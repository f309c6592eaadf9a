/**
 * Rollout plans as folders of ordered phases: `npm run synth:plan` writes
 * - `dist/plan/tutorial/`: the tutorial's five steps as a plan;
 * - `dist/plan/progressive/`: deploy, header, 5%, 25%, 50%, promote, finalize;
 * - `dist/plan/progressive-argocd/`: the same release as stage folders for Argo CD (sync waves).
 */
import { join } from 'node:path';
import { PlanLayout, RequestMatch, RolloutPlan, RolloutStep, Weight } from '../lib';
import { runApp } from './run';
import { TUTORIAL_ENTRY, VERSION_1, VERSION_2 } from './tutorial-chart';

const QA = RequestMatch.header('qa', 'canary-test');
const common = {
  chartId: 'tutorial',
  namespace: 'default',
  website: { serviceName: 'website', versions: [VERSION_1, VERSION_2] },
  entry: TUTORIAL_ENTRY,
  destinationRuleName: 'website',
  stable: 'version-1',
  canary: 'version-2',
};

/** The tutorial's steps, stage names as in `CANARY_STAGE`. */
export function tutorialPlan(): RolloutPlan {
  return new RolloutPlan({
    ...common,
    steps: [
      RolloutStep.stableOnly({ subsets: false, name: 'v1-only' }),
      RolloutStep.stableOnly({ subsets: true, name: 'subset-v1' }),
      RolloutStep.deployCanary({ name: 'canary-deployed' }),
      RolloutStep.headerOnly(QA, { name: 'header-route' }),
      RolloutStep.weight(Weight.percent(20), { name: 'weighted' }),
    ],
  });
}

/** A full release, from the steady state to the canary as the new stable version. */
export function progressivePlan(): RolloutPlan {
  return new RolloutPlan({
    ...common,
    requireTrafficBeforePromote: true,
    steps: [
      RolloutStep.deployCanary(),
      RolloutStep.headerOnly(QA),
      RolloutStep.weight(Weight.percent(5), { keepMatches: true }),
      RolloutStep.weight(Weight.percent(25), { keepMatches: true }),
      RolloutStep.weight(Weight.percent(50), { keepMatches: true }),
      RolloutStep.promote(),
      RolloutStep.finalize(),
    ],
  });
}

if (require.main === module) {
  runApp(() => {
    const root = process.env.CDK8S_OUTDIR ?? 'dist';
    tutorialPlan().write(join(root, 'plan', 'tutorial'), 'the tutorial');
    const progressive = progressivePlan();
    progressive.write(join(root, 'plan', 'progressive'), 'progressive release');
    progressive.write(join(root, 'plan', 'progressive-argocd'), 'progressive release', { layout: PlanLayout.ARGO_CD_SYNC_WAVES });
    process.stdout.write(`wrote ${['tutorial', 'progressive', 'progressive-argocd'].map((name) => join(root, 'plan', name)).join(', ')}\n`);
  });
}
