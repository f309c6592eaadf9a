/**
 * The tutorial as a cdk8s app: `npm run synth` writes its final state to `dist/`,
 * `CANARY_STAGE=<stage> npm run synth` one of its steps, and `CANARY_API=gateway-api` writes them
 * as Gateway API objects instead of Istio's.
 */
import { App } from 'cdk8s';
import { TrafficApi } from '../lib';
import { runApp } from './run';
import { TUTORIAL_STAGES, TutorialChart, TutorialStage } from './tutorial-chart';

runApp(() => {
  const stage = process.env.CANARY_STAGE ?? 'weighted';
  if (!(TUTORIAL_STAGES as readonly string[]).includes(stage)) {
    throw new Error(`CANARY_STAGE must be one of ${TUTORIAL_STAGES.join(', ')}, got "${stage}"`);
  }
  const api = process.env.CANARY_API ?? TrafficApi.ISTIO;
  if (!(Object.values(TrafficApi) as string[]).includes(api)) {
    throw new Error(`CANARY_API must be one of ${Object.values(TrafficApi).join(', ')}, got "${api}"`);
  }
  const app = new App();
  new TutorialChart(app, 'tutorial', { stage: stage as TutorialStage, api: api as TrafficApi });
  app.synth();
  process.stdout.write(`synthesized stage ${stage}${api === TrafficApi.GATEWAY_API ? ' as Gateway API objects' : ''} to ${app.outdir}/\n`);
});
