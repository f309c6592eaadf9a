/**
 * The tutorial as a cdk8s app: `npm run synth` writes its final state to `dist/`,
 * `CANARY_STAGE=<stage> npm run synth` one of its steps.
 */
import { App } from 'cdk8s';
import { runApp } from './run';
import { TUTORIAL_STAGES, TutorialChart, TutorialStage } from './tutorial-chart';

runApp(() => {
  const stage = process.env.CANARY_STAGE ?? 'weighted';
  if (!(TUTORIAL_STAGES as readonly string[]).includes(stage)) {
    throw new Error(`CANARY_STAGE must be one of ${TUTORIAL_STAGES.join(', ')}, got "${stage}"`);
  }
  const app = new App();
  new TutorialChart(app, 'tutorial', { stage: stage as TutorialStage });
  app.synth();
  process.stdout.write(`synthesized stage ${stage} to ${app.outdir}/\n`);
});
