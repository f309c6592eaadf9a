import { App, Chart, Duration } from 'cdk8s';
import { CanaryRelease, IstioEntry, Website, Weight } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'sticky');

const website = new Website(chart, 'website', { serviceName: 'website' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/website:1.0.0', replicas: 4 });
website.addVersion({ name: 'v2', image: 'ghcr.io/example/website:2.0.0' });
const entry = new IstioEntry(chart, 'entry', { website, virtualServiceName: 'website', gatewayName: 'website-gateway' });

// A user sent to v2 by the 20% split gets a cookie and stays on v2 for an hour.
new CanaryRelease(chart, 'release', {
  website,
  entry,
  stable: 'v1',
  canary: 'v2',
  canaryWeight: Weight.percent(20),
  stickySession: { cookieName: 'canary', maxAge: Duration.hours(1) },
});

app.synth();
