import { Chart, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { describe, expect, test } from 'vitest';
import { Website, WebProtocol } from '../lib';
import { allSchemaErrors, find, ofKind, synth } from './support/synth';

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
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '200Mi' } });
    expect(deployment.spec.template.metadata.labels.version).toBe('website-version-1');
  });

  test('the library keeps cdk8s-plus-27 secure defaults: non-root and a read-only root filesystem', () => {
    const c = chart();
    new Website(c, 'site', { serviceName: 'website', versions: [{ name: 'v1', image: 'img:1', deploymentName: 'web-v1' }] });
    const pod = find(synth(c), 'Deployment', 'web-v1').spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
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
  });
});
