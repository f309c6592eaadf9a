import { App, Chart } from 'cdk8s';
import { CanaryRelease, IstioEntry, RequestMatch, Website, Weight } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'release');

const website = new Website(chart, 'website', { serviceName: 'website' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/website:1.0.0', replicas: 4 });
website.addVersion({ name: 'v2', image: 'ghcr.io/example/website:2.0.0' });

const entry = new IstioEntry(chart, 'entry', {
  website,
  gatewayName: 'website-gateway',
  virtualServiceName: 'website',
});

new CanaryRelease(chart, 'release', {
  website,
  entry,
  destinationRuleName: 'website',
  stable: 'v1',
  canary: 'v2',
  // QA reaches the canary with a header; 5% of everyone else does too.
  canaryMatches: [RequestMatch.header('qa', 'canary-test')],
  canaryWeight: Weight.percent(5),
});

app.synth();
