import { App, Chart } from 'cdk8s';
import { CanaryRelease, IstioEntry, Percentage, Website } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'mirroring');

const website = new Website(chart, 'website', { serviceName: 'website' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/website:1.0.0', replicas: 4 });
website.addVersion({ name: 'v2', image: 'ghcr.io/example/website:2.0.0' });
const entry = new IstioEntry(chart, 'entry', { website, virtualServiceName: 'website', gatewayName: 'website-gateway' });

// Users only ever see v1; a copy of 10% of their requests also reaches v2, whose answers are dropped.
new CanaryRelease(chart, 'release', { website, entry, stable: 'v1', canary: 'v2', mirrorToCanary: Percentage.of(10) });

app.synth();
