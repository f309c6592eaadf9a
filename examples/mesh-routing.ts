import { App, Chart } from 'cdk8s';
import { CanaryRelease, IstioEntry, MeshRouting, Website, Weight } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'mesh');

const website = new Website(chart, 'website', { serviceName: 'website' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/website:1.0.0', replicas: 4 });
website.addVersion({ name: 'v2', image: 'ghcr.io/example/website:2.0.0' });
// Bound to the gateway and to the mesh: calls from other services to "website" are routed too.
const entry = new IstioEntry(chart, 'entry', {
  website,
  hosts: ['www.example.com'],
  mesh: true,
  virtualServiceName: 'website',
  gatewayName: 'website-gateway',
});

// Only visitors through the gateway meet the canary; other services keep calling v1.
new CanaryRelease(chart, 'release', {
  website,
  entry,
  stable: 'v1',
  canary: 'v2',
  canaryWeight: Weight.percent(25),
  meshRouting: MeshRouting.STABLE_ONLY,
});

app.synth();
