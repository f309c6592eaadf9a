import { App, Chart } from 'cdk8s';
import { IstioEntry, Website } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'tls');

const website = new Website(chart, 'website', { serviceName: 'website' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/website:1.0.0' });

// HTTPS on 443 with the certificate in Secret "www-example-com" (in the ingress gateway's
// namespace, usually istio-system); HTTP on 80 answers with a redirect to HTTPS.
new IstioEntry(chart, 'entry', {
  website,
  hosts: ['www.example.com'],
  tls: { credentialName: 'www-example-com' },
  gatewayName: 'website-gateway',
  virtualServiceName: 'website',
});

app.synth();
