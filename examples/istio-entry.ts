import { App, Chart } from 'cdk8s';
import { IstioEntry, Website } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'entry');

const website = new Website(chart, 'website', { serviceName: 'website' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/website:1.0.0' });

new IstioEntry(chart, 'entry', {
  website,
  hosts: ['www.example.com'],
  // Route calls from other workloads in the mesh the same way as calls through the gateway.
  mesh: true,
  gatewayName: 'website-gateway',
  virtualServiceName: 'website',
});

app.synth();
