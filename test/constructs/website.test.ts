import { App, Chart, Duration, Size, Testing } from 'cdk8s';
import { Capability, Cpu, Probe } from 'cdk8s-plus-27';
import { describe, expect, test } from 'vitest';
import { LinuxCapability, Website, WebProtocol } from '../../lib';
import { podSecurityViolations } from '../support/pod-security';
import { allSchemaErrors, find, ofKind, synth } from '../support/synth';

function chart(): Chart {
  return Testing.chart();
}

describe('Website', () => {
  test('default output: a Service over one Deployment per version', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new Website(c, 'shop', { versions: [{ name: 'v1', image: 'nginx:1.27' }] });
    // THEN
    const manifests = synth(c);
    expect(manifests).toMatchSnapshot();
    expect(allSchemaErrors(manifests)).toEqual([]);
    expect(manifests.map((m) => m.kind)).toEqual(['Service', 'Deployment']);
  });

  test('by default the Service and Deployments are named from the construct path, and the app label is the Service name', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const site = new Website(c, 'shop', { versions: [{ name: 'v1', image: 'nginx:1.27' }] });
    // THEN
    const manifests = synth(c);
    const [service] = ofKind(manifests, 'Service');
    const [deployment] = ofKind(manifests, 'Deployment');
    expect(service.metadata.name).toMatch(/^test-shop-c8[0-9a-f]{6}$/);
    expect(site.serviceName).toBe(service.metadata.name);
    expect(deployment.metadata.name).toMatch(/^test-shop-v1-c8[0-9a-f]{6}$/);
    expect(service.spec.selector).toEqual({ app: service.metadata.name });
    expect(deployment.spec.template.metadata.labels).toEqual({ app: service.metadata.name, version: 'v1' });
  });

  test('names are the same from run to run', () => {
    const build = () => {
      const c = chart();
      new Website(c, 'shop', { versions: [{ name: 'v1', image: 'nginx:1.27' }] });
      return synth(c).map((m) => m.metadata.name);
    };
    expect(build()).toEqual(build());
  });

  test('the Service selects only the app label, so it spans every version; its port is named for Istio', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new Website(c, 'site', {
      serviceName: 'website',
      appLabel: 'website',
      versions: [{ name: 'v1', image: 'img:1' }, { name: 'v2', image: 'img:2' }],
    });
    // THEN
    const service = find(synth(c), 'Service', 'website');
    expect(service.spec.selector).toEqual({ app: 'website' });
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }]);
  });

  test('each Deployment is apps/v1 and selects its app and version labels only, with no construct-path hash anywhere', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new Website(c, 'site', {
      serviceName: 'website',
      versions: [{ name: 'v1', image: 'img:1', deploymentName: 'web-v1' }],
    });
    // THEN
    const deployment = find(synth(c), 'Deployment', 'web-v1');
    expect(deployment.apiVersion).toBe('apps/v1');
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'website', version: 'v1' } });
    expect(deployment.spec.template.metadata.labels).toEqual({ app: 'website', version: 'v1' });
    expect(JSON.stringify(deployment)).not.toContain('cdk8s.io/metadata.addr');
  });

  test('a renamed construct keeps its selectors and pod labels', () => {
    const build = (id: string) => {
      const c = chart();
      new Website(c, id, { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1', deploymentName: 'web-v1' }] });
      const d = find(synth(c), 'Deployment', 'web-v1');
      return [d.spec.selector, d.spec.template.metadata.labels];
    };
    expect(build('one')).toEqual(build('two'));
  });

  test('version options set image, replicas, labels, names and typed resource requests', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new Website(c, 'site', {
      serviceName: 'website',
      versions: [{
        name: 'version-1',
        label: 'website-version-1',
        deploymentName: 'web-v1',
        containerName: 'website-version-1',
        image: 'kublr/kublr-tutorial-images:v1',
        replicas: 4,
        resources: { cpu: { request: Cpu.millis(100) }, memory: { request: Size.mebibytes(200) } },
      }],
    });
    // THEN
    const deployment = find(synth(c), 'Deployment', 'web-v1');
    expect(deployment.spec.replicas).toBe(4);
    const [container] = deployment.spec.template.spec.containers;
    expect(container.name).toBe('website-version-1');
    expect(container.image).toBe('kublr/kublr-tutorial-images:v1');
    expect(container.ports).toEqual([{ containerPort: 80, name: 'http' }]);
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '1500m', memory: '2048Mi' } });
    expect(deployment.spec.template.metadata.labels.version).toBe('website-version-1');
  });

  test('the library keeps cdk8s-plus-27 secure defaults: non-root and a read-only root filesystem', () => {
    const c = chart();
    new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1', deploymentName: 'web-v1' }] });
    const pod = find(synth(c), 'Deployment', 'web-v1').spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  test('by default the pods meet the "restricted" Pod Security Standard: every capability dropped, seccomp RuntimeDefault', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1', deploymentName: 'web-v1' }] });
    // THEN
    const manifests = synth(c);
    const template = find(manifests, 'Deployment', 'web-v1').spec.template;
    expect(podSecurityViolations(template, 'restricted')).toEqual([]);
    expect(template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(allSchemaErrors(manifests)).toEqual([]);
  });

  test('addCapabilities puts capabilities back after dropping all; NET_BIND_SERVICE alone stays restricted', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new Website(c, 'site', {
      serviceName: 'website',
      versions: [
        { name: 'v1', image: 'img:1', deploymentName: 'web-v1', addCapabilities: [LinuxCapability.NET_BIND_SERVICE] },
        { name: 'v2', image: 'img:2', deploymentName: 'web-v2', addCapabilities: [LinuxCapability.NET_BIND_SERVICE, LinuxCapability.CHOWN] },
      ],
    });
    // THEN
    const manifests = synth(c);
    const v1 = find(manifests, 'Deployment', 'web-v1').spec.template;
    const v2 = find(manifests, 'Deployment', 'web-v2').spec.template;
    expect(v1.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    expect(podSecurityViolations(v1, 'restricted')).toEqual([]);
    expect(v2.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN'] });
    expect(podSecurityViolations(v2, 'baseline')).toEqual([]);
    expect(podSecurityViolations(v2, 'restricted')).toEqual(['Capabilities: spec.containers[0].securityContext.capabilities.add may only hold NET_BIND_SERVICE, not CHOWN']);
    expect(allSchemaErrors(manifests)).toEqual([]);
  });

  describe('resources', () => {
    const resourcesOf = (resources: any) => {
      const c = chart();
      new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1', deploymentName: 'web-v1', resources }] });
      const manifests = synth(c);
      expect(allSchemaErrors(manifests)).toEqual([]);
      return find(manifests, 'Deployment', 'web-v1').spec.template.spec.containers[0].resources;
    };

    test('without resources, the container gets 1000m/512Mi requests and 1500m/2048Mi limits', () => {
      expect(resourcesOf(undefined)).toEqual({ requests: { cpu: '1000m', memory: '512Mi' }, limits: { cpu: '1500m', memory: '2048Mi' } });
    });

    test('requests alone keep the default limits', () => {
      expect(resourcesOf({ cpu: { request: Cpu.millis(100) }, memory: { request: Size.mebibytes(200) } }))
        .toEqual({ requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '1500m', memory: '2048Mi' } });
    });

    test('a request above the default limit raises the limit to the request', () => {
      expect(resourcesOf({ cpu: { request: Cpu.units(2) }, memory: { request: Size.gibibytes(4) } }))
        .toEqual({ requests: { cpu: '2', memory: '4096Mi' }, limits: { cpu: '2', memory: '4096Mi' } });
    });

    test('limits given win; a resource not mentioned keeps its defaults; a limit alone is left without request', () => {
      expect(resourcesOf({ cpu: { request: Cpu.millis(100), limit: Cpu.millis(200) } }))
        .toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '200m', memory: '2048Mi' } });
      expect(resourcesOf({ memory: { limit: Size.mebibytes(64) } }))
        .toEqual({ requests: { cpu: '1000m' }, limits: { cpu: '1500m', memory: '64Mi' } });
    });

    test('fails if a limit is below its request', () => {
      const site = new Website(chart(), 'site', { serviceName: 'website' });
      expect(() => site.addVersion({ name: 'v1', image: 'img:1', resources: { cpu: { request: Cpu.millis(500), limit: Cpu.millis(200) } } }))
        .toThrow('resources of version "v1".cpu.limit must be at least the request (500m), got 200m');
      expect(() => site.addVersion({ name: 'v1', image: 'img:1', resources: { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(256) } } }))
        .toThrow('resources of version "v1".memory.limit must be at least the request (512Mi), got 256Mi');
    });
  });

  describe('probes', () => {
    const containerOf = (props: any, version: any = {}) => {
      const c = chart();
      new Website(c, 'site', { serviceName: 'website', ...props, versions: [{ name: 'v1', image: 'img:1', deploymentName: 'web-v1', ...version }] });
      const manifests = synth(c);
      expect(allSchemaErrors(manifests)).toEqual([]);
      return find(manifests, 'Deployment', 'web-v1').spec.template.spec.containers[0];
    };

    test('by default an HTTP readiness probe asks for / on the container port, and there is no liveness probe', () => {
      const container = containerOf({ port: 80, containerPort: 8080 });
      expect(container.readinessProbe).toEqual({ failureThreshold: 3, httpGet: { path: '/', port: 8080, scheme: 'HTTP' } });
      expect(container.livenessProbe).toBeUndefined();
    });

    test('for HTTP/2 and gRPC the default readiness probe opens a TCP connection to the container port', () => {
      expect(containerOf({ protocol: WebProtocol.GRPC, port: 9090 }).readinessProbe).toEqual({ failureThreshold: 3, tcpSocket: { port: 9090 } });
      expect(containerOf({ protocol: WebProtocol.HTTP2 }).readinessProbe).toEqual({ failureThreshold: 3, tcpSocket: { port: 80 } });
    });

    test('readiness and liveness probes given replace the default; readiness false removes it', () => {
      const container = containerOf({}, {
        readiness: Probe.fromHttpGet('/ready', { periodSeconds: Duration.seconds(5) }),
        liveness: Probe.fromHttpGet('/healthz'),
      });
      expect(container.readinessProbe).toEqual({ failureThreshold: 3, periodSeconds: 5, httpGet: { path: '/ready', port: 80, scheme: 'HTTP' } });
      expect(container.livenessProbe).toEqual({ failureThreshold: 3, httpGet: { path: '/healthz', port: 80, scheme: 'HTTP' } });
      expect(containerOf({}, { readiness: false }).readinessProbe).toBeUndefined();
    });

    test('fails if a probe is not a Probe', () => {
      const site = new Website(chart(), 'site', { serviceName: 'website' });
      expect(() => site.addVersion({ name: 'v1', image: 'img:1', readiness: '/ready' as never }))
        .toThrow('readiness of version "v1" must be a Probe (e.g. Probe.fromHttpGet(\'/healthz\')) or false, got "/ready"');
      expect(() => site.addVersion({ name: 'v1', image: 'img:1', liveness: true as never }))
        .toThrow('liveness of version "v1" must be a Probe (e.g. Probe.fromHttpGet(\'/healthz\')), got true');
    });
  });

  test('websites with the same app label may live in different namespaces', () => {
    // GIVEN
    const app = new App();
    // WHEN
    new Website(new Chart(app, 'a', { namespace: 'a' }), 'site', { serviceName: 'website' });
    new Website(new Chart(app, 'b', { namespace: 'b' }), 'site', { serviceName: 'website' });
    // THEN
    expect(app.charts.map((c) => c.namespace)).toEqual(['a', 'b']);
  });

  test('security settings given by the caller win over the defaults, the rest stays', () => {
    const c = chart();
    new Website(c, 'site', {
      serviceName: 'website',
      versions: [{
        name: 'v1', image: 'img:1', deploymentName: 'web-v1',
        securityContext: { ensureNonRoot: false }, podSecurityContext: { ensureNonRoot: false },
      }],
    });
    const pod = find(synth(c), 'Deployment', 'web-v1').spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(false);
    expect(pod.containers[0].securityContext).toMatchObject({ runAsNonRoot: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  test('port, container port and protocol set the Service and container ports', () => {
    const c = chart();
    new Website(c, 'site', {
      serviceName: 'api', port: 8080, containerPort: 9090, protocol: WebProtocol.GRPC,
      versions: [{ name: 'v1', image: 'img:1', deploymentName: 'api-v1' }],
    });
    const manifests = synth(c);
    expect(find(manifests, 'Service', 'api').spec.ports).toEqual([{ name: 'grpc', port: 8080, protocol: 'TCP', targetPort: 9090 }]);
    expect(find(manifests, 'Deployment', 'api-v1').spec.template.spec.containers[0].ports).toEqual([{ containerPort: 9090, name: 'grpc' }]);
    expect(allSchemaErrors(manifests)).toEqual([]);
  });

  test('addVersion adds a Deployment after construction and versions returns a copy', () => {
    // GIVEN
    const c = chart();
    const site = new Website(c, 'site', { serviceName: 'website' });
    // WHEN
    const v2 = site.addVersion({ name: 'v2', image: 'img:2', deploymentName: 'web-v2', replicas: 0 });
    site.versions.pop();
    // THEN
    expect(v2).toMatchObject({ name: 'v2', label: 'v2', subsetName: 'v2', replicas: 0, image: 'img:2' });
    expect(site.versions.map((v) => v.name)).toEqual(['v2']);
    expect(site.findVersion('v2')).toBe(v2);
    expect(site.findVersion('v3')).toBeUndefined();
    expect(find(synth(c), 'Deployment', 'web-v2').spec.replicas).toBe(0);
  });

  test('replicas default to 1', () => {
    const c = chart();
    new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1', deploymentName: 'web-v1' }] });
    expect(find(synth(c), 'Deployment', 'web-v1').spec.replicas).toBe(1);
  });

  describe('bad input', () => {
    const site = () => new Website(chart(), 'site', { serviceName: 'website' });

    test('fails if replicas are negative', () => {
      expect(() => site().addVersion({ name: 'v1', image: 'img', replicas: -1 }))
        .toThrow('replicas of version "v1" must be a whole number of at least 0, got -1');
    });

    test('fails if replicas are fractional', () => {
      expect(() => site().addVersion({ name: 'v1', image: 'img', replicas: 1.5 }))
        .toThrow('replicas of version "v1" must be a whole number of at least 0, got 1.5');
    });

    test('fails if two versions have the same name', () => {
      const s = site();
      s.addVersion({ name: 'v1', image: 'img' });
      expect(() => s.addVersion({ name: 'v1', image: 'img' })).toThrow('version name must be unique within a website, got "v1" twice');
    });

    test('fails if two versions have the same label', () => {
      const s = site();
      s.addVersion({ name: 'v1', image: 'img', label: 'stable' });
      expect(() => s.addVersion({ name: 'v2', image: 'img', label: 'stable' }))
        .toThrow('label of version "v2" must differ from every other version\'s, got "stable", already used by version "v1"');
    });

    test('fails if two versions have the same subset name', () => {
      const s = site();
      s.addVersion({ name: 'v1', image: 'img', subsetName: 'main' });
      expect(() => s.addVersion({ name: 'v2', image: 'img', subsetName: 'main' }))
        .toThrow('subsetName of version "v2" must differ from every other version\'s, got "main", already used by version "v1"');
    });

    test('fails if two versions have the same Deployment name', () => {
      const s = site();
      s.addVersion({ name: 'v1', image: 'img', deploymentName: 'web' });
      expect(() => s.addVersion({ name: 'v2', image: 'img', deploymentName: 'web' }))
        .toThrow('deploymentName of version "v2" must differ from every other version\'s, got "web", already used by version "v1"');
    });

    test('fails if a version name is not a DNS-1123 label', () => {
      expect(() => site().addVersion({ name: 'Version_1', image: 'img' })).toThrow('version name must be a DNS-1123 label');
    });

    test('fails if a subset name is not a DNS-1123 label', () => {
      expect(() => site().addVersion({ name: 'v1', image: 'img', subsetName: 'v1.0' })).toThrow('subsetName of version "v1" must be a DNS-1123 label');
    });

    test('fails if a label is not a label value', () => {
      expect(() => site().addVersion({ name: 'v1', image: 'img', label: 'version 1' })).toThrow('label of version "v1" must be a label value');
    });

    test('fails if a Deployment name is not a DNS-1123 subdomain', () => {
      expect(() => site().addVersion({ name: 'v1', image: 'img', deploymentName: 'Web_V1' })).toThrow('deploymentName of version "v1" must be a DNS-1123 subdomain');
    });

    test('fails if a container name is not a DNS-1123 label', () => {
      expect(() => site().addVersion({ name: 'v1', image: 'img', containerName: 'web.v1' })).toThrow('containerName of version "v1" must be a DNS-1123 label');
    });

    test('fails if the image is empty', () => {
      expect(() => site().addVersion({ name: 'v1', image: ' ' })).toThrow('image of version "v1" must be a non-empty image reference without spaces, got " "');
    });

    test('fails if the Service name is not a DNS-1035 label', () => {
      expect(() => new Website(chart(), 'site', { serviceName: 'Website' })).toThrow('serviceName must be a DNS-1035 label');
      expect(() => new Website(chart(), 'site', { serviceName: '1website' })).toThrow('got "1website"');
    });

    test('fails if the app label is not a label value', () => {
      expect(() => new Website(chart(), 'site', { serviceName: 'website', appLabel: 'web site' })).toThrow('appLabel must be a label value');
    });

    test('fails if a port is out of range', () => {
      expect(() => new Website(chart(), 'site', { port: 0 })).toThrow('port must be a whole number between 1 and 65535, got 0');
      expect(() => new Website(chart(), 'site', { containerPort: 70000 })).toThrow('containerPort must be a whole number between 1 and 65535, got 70000');
    });

    test('fails if the protocol is not one Istio knows for a web port', () => {
      expect(() => new Website(chart(), 'site', { protocol: 'tcp' as WebProtocol })).toThrow('protocol must be one of http, http2, grpc, got "tcp"');
    });

    test('fails if a capability is not one the baseline profile allows, or is repeated', () => {
      expect(() => site().addVersion({ name: 'v1', image: 'img:1', addCapabilities: ['SYS_ADMIN' as LinuxCapability] }))
        .toThrow('addCapabilities of version "v1"[0] must be one of AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT (the capabilities the "baseline" Pod Security Standard allows), got "SYS_ADMIN"');
      expect(() => site().addVersion({ name: 'v1', image: 'img:1', addCapabilities: [LinuxCapability.CHOWN, LinuxCapability.CHOWN] }))
        .toThrow('addCapabilities of version "v1" must not repeat a capability, got ["CHOWN","CHOWN"]');
    });

    test('fails if securityContext sets capabilities, which addCapabilities replaces', () => {
      expect(() => site().addVersion({ name: 'v1', image: 'img:1', securityContext: { capabilities: { add: [Capability.CHOWN] } } }))
        .toThrow('securityContext.capabilities of version "v1" cannot be set, got {"add":["CAP_CHOWN"]}: the container drops every capability; list those it needs in addCapabilities');
    });

    test('fails if the chart\'s namespace is not a DNS-1123 label', () => {
      const c = new Chart(new App(), 'shop', { namespace: 'Shop_1' });
      expect(() => new Website(c, 'site')).toThrow('namespace of chart "shop" must be a DNS-1123 label (at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit), got "Shop_1"');
    });

    test('fails if two websites in one namespace share an app label, so that they would select each other\'s pods', () => {
      const app = new App();
      new Website(new Chart(app, 'one', { namespace: 'shop' }), 'site', { serviceName: 'shop' });
      expect(() => new Website(new Chart(app, 'two', { namespace: 'shop' }), 'other', { serviceName: 'shop-admin', appLabel: 'shop' }))
        .toThrow('appLabel of two/other must differ from every other website\'s in namespace "shop", got "shop", already used by one/site: their Services and subsets would select each other\'s pods; give one of them another appLabel or serviceName');
    });

    test('fails if two websites in one namespace share a Service name, with different app labels: the last Service applied would replace the other', () => {
      const app = new App();
      const c = new Chart(app, 'c', { namespace: 'shop' });
      new Website(c, 'shop', { serviceName: 'web', appLabel: 'shop' });
      expect(() => new Website(c, 'blog', { serviceName: 'web', appLabel: 'blog' }))
        .toThrow('serviceName of c/blog must differ from every other website\'s in namespace "shop", got "web", already used by c/shop: both would write Service shop/web, and the last one applied would replace the other; give one of them another serviceName');
      // AND the same name in another namespace is another Service
      expect(() => new Website(new Chart(app, 'd', { namespace: 'blog' }), 'blog', { serviceName: 'web', appLabel: 'blog' })).not.toThrow();
    });

    test('fails if the generated Service name is not a DNS-1035 label (a chart id starting with a digit, an id with a dot)', () => {
      expect(() => new Website(new Chart(new App(), '2024'), 'site')).toThrow('serviceName must be given when the generated name "2024-site-c8cce507" is not a DNS-1035 label');
      expect(() => new Website(new Chart(new App(), 'c'), 'web.site')).toThrow('serviceName must be given when the generated name "c-web.site-');
      expect(new Website(new Chart(new App(), '2024'), 'site', { serviceName: 'site' }).serviceName).toBe('site');
    });

    test('fails on versions that are not an array of objects, and on null object options, naming them', () => {
      const c = () => new Chart(new App(), 'c');
      expect(() => new Website(c(), 's', { versions: { name: 'v1', image: 'x' } as never })).toThrow('versions must be an array of versions (e.g. [{ name: \'v1\', image: \'web:1\' }]), got {"name":"v1","image":"x"}');
      expect(() => new Website(c(), 's', { versions: [undefined as never] })).toThrow('versions[0] must be a version object (e.g. { name: \'v1\', image: \'web:1\' }), got undefined');
      expect(() => new Website(c(), 's', { versions: [{ name: 'v1', image: 'x', securityContext: null as never }] })).toThrow('securityContext of version "v1" must be an object or left out, got null');
    });
  });
});
