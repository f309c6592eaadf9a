import { describe, expect, test } from 'vitest';
import { podSecurityViolations } from './support/pod-security';

/** A pod template that meets the "restricted" profile, with `change` applied to a copy. */
function template(change: (t: any) => void = () => undefined): any {
  const t = {
    metadata: { labels: { app: 'a' } },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'c',
        image: 'img',
        ports: [{ containerPort: 8080 }],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      }],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
  change(t);
  return t;
}

const container = (t: any) => t.spec.containers[0];

describe('the Pod Security Standards checker', () => {
  test('a template with every restricted setting passes both levels', () => {
    expect(podSecurityViolations(template(), 'restricted')).toEqual([]);
    expect(podSecurityViolations(template(), 'baseline')).toEqual([]);
  });

  test('a minimally specified pod passes baseline but not restricted', () => {
    // GIVEN
    const t = { spec: { containers: [{ name: 'c', image: 'img' }] } };
    // WHEN / THEN
    expect(podSecurityViolations(t, 'baseline')).toEqual([]);
    expect(podSecurityViolations(t, 'restricted')).toEqual([
      'Privilege Escalation: spec.containers[0].securityContext.allowPrivilegeEscalation must be false',
      'Running as Non-root: spec.containers[0].securityContext.runAsNonRoot must be true (or set true for the pod)',
      'Seccomp: spec.containers[0] must run with seccompProfile RuntimeDefault or Localhost (its own or the pod\'s)',
      'Capabilities: spec.containers[0].securityContext.capabilities.drop must include ALL',
    ]);
  });

  test.each([
    ['HostProcess', (t: any) => { t.spec.securityContext.windowsOptions = { hostProcess: true }; }],
    ['Host Namespaces', (t: any) => { t.spec.hostNetwork = true; }],
    ['Host Namespaces', (t: any) => { t.spec.hostPID = true; }],
    ['Host Namespaces', (t: any) => { t.spec.hostIPC = true; }],
    ['Privileged Containers', (t: any) => { container(t).securityContext.privileged = true; }],
    ['Capabilities', (t: any) => { container(t).securityContext.capabilities.add = ['SYS_ADMIN']; }],
    ['HostPath Volumes', (t: any) => { t.spec.volumes.push({ name: 'h', hostPath: { path: '/' } }); }],
    ['Host Ports', (t: any) => { container(t).ports[0].hostPort = 80; }],
    ['AppArmor', (t: any) => { container(t).securityContext.appArmorProfile = { type: 'Unconfined' }; }],
    ['AppArmor', (t: any) => { t.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' }; }],
    ['SELinux', (t: any) => { t.spec.securityContext.seLinuxOptions = { type: 'spc_t' }; }],
    ['SELinux', (t: any) => { container(t).securityContext.seLinuxOptions = { user: 'system_u' }; }],
    ['/proc Mount Type', (t: any) => { container(t).securityContext.procMount = 'Unmasked'; }],
    ['Seccomp', (t: any) => { t.spec.securityContext.seccompProfile = { type: 'Unconfined' }; }],
    ['Sysctls', (t: any) => { t.spec.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }],
  ])('fails baseline (and restricted) on the %s control', (control, change) => {
    expect(podSecurityViolations(template(change), 'baseline').map((v) => v.split(':')[0])).toEqual([control]);
    expect(podSecurityViolations(template(change), 'restricted').map((v) => v.split(':')[0])).toContain(control);
  });

  test.each([
    ['Volume Types', (t: any) => { t.spec.volumes.push({ name: 'n', nfs: { server: 's', path: '/' } }); }],
    ['Privilege Escalation', (t: any) => { delete container(t).securityContext.allowPrivilegeEscalation; }],
    ['Running as Non-root', (t: any) => { t.spec.securityContext.runAsNonRoot = false; }],
    ['Running as Non-root', (t: any) => { container(t).securityContext.runAsNonRoot = false; }],
    ['Running as Non-root', (t: any) => { delete t.spec.securityContext.runAsNonRoot; }],
    ['Running as Non-root user', (t: any) => { container(t).securityContext.runAsUser = 0; }],
    ['Seccomp', (t: any) => { delete t.spec.securityContext.seccompProfile; }],
    ['Capabilities', (t: any) => { container(t).securityContext.capabilities = { drop: ['NET_RAW'] }; }],
    ['Capabilities', (t: any) => { container(t).securityContext.capabilities.add = ['CHOWN']; }],
  ])('fails restricted but passes baseline on the %s control', (control, change) => {
    expect(podSecurityViolations(template(change), 'baseline')).toEqual([]);
    expect([...new Set(podSecurityViolations(template(change), 'restricted').map((v) => v.split(':')[0]))]).toEqual([control]);
  });

  test('restricted allows adding NET_BIND_SERVICE back, and a container-level seccomp profile instead of the pod\'s', () => {
    // GIVEN
    const t = template((x) => {
      container(x).securityContext.capabilities.add = ['NET_BIND_SERVICE'];
      delete x.spec.securityContext.seccompProfile;
      container(x).securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
    });
    // WHEN / THEN
    expect(podSecurityViolations(t, 'restricted')).toEqual([]);
  });
});
