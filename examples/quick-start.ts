import { App, Chart } from 'cdk8s';
import { CanaryRelease, IstioEntry, RequestMatch, Website, Weight } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'shop', { namespace: 'shop' });

const website = new Website(chart, 'website', { serviceName: 'shop' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/shop:1.4.0', replicas: 3 });
website.addVersion({ name: 'v2', image: 'ghcr.io/example/shop:1.5.0' });

const entry = new IstioEntry(chart, 'entry', { website, hosts: ['shop.example.com'] });

new CanaryRelease(chart, 'release', {
  website,
  entry,
  stable: 'v1',
  canary: 'v2',
  canaryMatches: [RequestMatch.header('x-canary', 'always')],
  canaryWeight: Weight.percent(10),
});

app.synth();
