import { App, Chart, Duration } from 'cdk8s';
import { CanaryRelease, IstioEntry, Website, Weight } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'sticky');

const website = new Website(chart, 'website', { serviceName: 'website' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/website:1.0.0', replicas: 4 });
website.addVersion({ name: 'v2', image: 'ghcr.io/example/website:2.0.0' });
const entry = new IstioEntry(chart, 'entry', { website, virtualServiceName: 'website', gatewayName: 'website-gateway' });

// The 20% split assigns each user v2 or v1 once, with a cookie kept for an hour: 20% of users see v2.
new CanaryRelease(chart, 'release', {
  website,
  entry,
  stable: 'v1',
  canary: 'v2',
  canaryWeight: Weight.percent(20),
  stickySession: { cookieName: 'canary', maxAge: Duration.hours(1) },
});

app.synth();
