import { App, Chart, Duration } from 'cdk8s';
import { CanaryRelease, IstioEntry, RequestMatch, TrafficApi, Website, Weight } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'gateway-api');

const website = new Website(chart, 'website', { serviceName: 'website' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/website:1.0.0', replicas: 4 });
website.addVersion({ name: 'v2', image: 'ghcr.io/example/website:2.0.0' });
// The same entry as Gateway API objects: HTTPS with a redirect from HTTP, and in-mesh calls to
// "website" routed by a waypoint (ambient mode).
const entry = new IstioEntry(chart, 'entry', {
  website,
  api: TrafficApi.GATEWAY_API,
  hosts: ['www.example.com'],
  tls: { credentialName: 'www-example-com-cert' },
  mesh: true,
  waypoint: 'waypoint',
  gatewayName: 'website-gateway',
  routeName: 'website',
});

// Testers with the header reach v2; 20% of other users are assigned to it, and stay there.
new CanaryRelease(chart, 'release', {
  website,
  entry,
  stable: 'v1',
  canary: 'v2',
  canaryMatches: [RequestMatch.header('qa', 'canary-test')],
  canaryWeight: Weight.percent(20),
  stickySession: { maxAge: Duration.hours(1) },
  timeout: Duration.seconds(5),
});

app.synth();
