import { App, Chart, Duration } from 'cdk8s';
import { CanaryRelease, IstioEntry, Percentage, RequestMatch, RetryOn, Website, Weight } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'resilience');

const website = new Website(chart, 'website', { serviceName: 'website' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/website:1.0.0', replicas: 4 });
// Two canary pods: outlier detection may eject one while the other keeps serving.
website.addVersion({ name: 'v2', image: 'ghcr.io/example/website:2.0.0', replicas: 2 });
const entry = new IstioEntry(chart, 'entry', { website, virtualServiceName: 'website', gatewayName: 'website-gateway' });

new CanaryRelease(chart, 'release', {
  website,
  entry,
  destinationRuleName: 'website',
  stable: 'v1',
  canary: 'v2',
  canaryMatches: [RequestMatch.header('qa', 'canary-test')],
  canaryWeight: Weight.percent(10),
  timeout: Duration.seconds(10),
  retries: { attempts: 3, perTryTimeout: Duration.seconds(3), retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE] },
  // QA's requests to the canary: half are delayed by 2 s, to see how clients cope.
  canaryFault: { delay: { fixedDelay: Duration.seconds(2), percentage: Percentage.of(50) } },
  trafficPolicy: { connectionPool: { maxConnections: 100, http1MaxPendingRequests: 50 } },
  // Eject a failing canary pod quickly, but never both (50% of 2 pods), so the canary never answers
  // 503 "no healthy upstream"; v2 keeps trafficPolicy's connectionPool (Istio merges field by field).
  versionTrafficPolicies: {
    v2: { outlierDetection: { consecutive5xxErrors: 2, interval: Duration.seconds(5), baseEjectionTime: Duration.minutes(1), maxEjectionPercent: 50 } },
  },
});

app.synth();
