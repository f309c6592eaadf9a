import { join } from 'node:path';
import { RolloutPlan, RolloutStep, TrafficApi, Weight } from 'cdk8s-istio-canary';

const plan = new RolloutPlan({
  chartId: 'shop',
  namespace: 'shop',
  website: {
    serviceName: 'shop',
    versions: [
      { name: 'v1', image: 'ghcr.io/example/shop:1.4.0', replicas: 3 },
      { name: 'v2', image: 'ghcr.io/example/shop:1.5.0', replicas: 1 },
    ],
  },
  entry: { hosts: ['shop.example.com'], gatewayName: 'shop', routeName: 'shop', api: TrafficApi.GATEWAY_API },
  stable: 'v1',
  canary: 'v2',
  steps: [
    RolloutStep.deployCanary(),
    RolloutStep.weight(Weight.percent(50)),
    RolloutStep.promote(),
    RolloutStep.finalize(),
  ],
});

plan.write(join(process.env.CDK8S_OUTDIR ?? 'dist', 'gateway-api-plan', 'shop'), 'shop 1.5.0 (Gateway API)');
