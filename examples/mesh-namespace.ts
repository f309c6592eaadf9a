import { App, Chart } from 'cdk8s';
import { MeshEnrollment, MeshNamespace, Website } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'enrolled', { namespace: 'shop' });

// Pods of a namespace that is not enrolled get no sidecar: they are outside the mesh.
new MeshNamespace(chart, 'namespace', {
  enrollment: MeshEnrollment.sidecar(),
  // The library's pods meet the "restricted" Pod Security Standard: enforce it.
  labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
});

new Website(chart, 'website', { serviceName: 'shop', versions: [{ name: 'v1', image: 'ghcr.io/example/shop:1.4.0' }] });

app.synth();
