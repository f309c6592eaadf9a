import { App, Chart } from 'cdk8s';
import { MeshEnrollment, MeshNamespace, Website } from 'cdk8s-istio-canary';

const app = new App();
const chart = new Chart(app, 'enrolled', { namespace: 'shop' });

// Pods of a namespace that is not enrolled get no sidecar: they are outside the mesh.
new MeshNamespace(chart, 'namespace', {
  enrollment: MeshEnrollment.sidecar(),
  // Istio supports enforcing the "baseline" Pod Security Standard in meshed namespaces with its
  // CNI node agent (without it, the injected istio-init container needs NET_ADMIN and NET_RAW).
  labels: { 'pod-security.kubernetes.io/enforce': 'baseline' },
});

new Website(chart, 'website', { serviceName: 'shop', versions: [{ name: 'v1', image: 'ghcr.io/example/shop:1.4.0' }] });

app.synth();
