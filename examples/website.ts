import { App, Chart, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Website } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'website');

const website = new Website(chart, 'website', { serviceName: 'website', port: 80 });
website.addVersion({
  name: 'v1',
  image: 'ghcr.io/example/website:1.0.0',
  replicas: 2,
  deploymentName: 'website-v1',
  resources: { cpu: { request: Cpu.millis(100) }, memory: { request: Size.mebibytes(200) } },
});

app.synth();
