import { App, Chart } from 'cdk8s';
import { CanaryRelease, IstioEntry, RequestMatch, StringMatch, Website } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'matches');

const website = new Website(chart, 'website', { serviceName: 'website' });
website.addVersion({ name: 'v1', image: 'ghcr.io/example/website:1.0.0', replicas: 4 });
website.addVersion({ name: 'v2', image: 'ghcr.io/example/website:2.0.0' });
const entry = new IstioEntry(chart, 'entry', { website, virtualServiceName: 'website', gatewayName: 'website-gateway' });

new CanaryRelease(chart, 'release', {
  website,
  entry,
  stable: 'v1',
  canary: 'v2',
  // Any one of these sends a request to the canary (OR); the conditions inside one match all hold (AND).
  canaryMatches: [
    RequestMatch.header('x-team', StringMatch.regex('web-(qa|dev)')).andHeader('x-client', StringMatch.prefix('ios-')),
    RequestMatch.uri(StringMatch.prefix('/beta/')).andWithoutHeader('x-no-canary'),
    RequestMatch.queryParam('canary', 'on'),
    RequestMatch.cookie('tester', 'yes'),
  ],
});

app.synth();
