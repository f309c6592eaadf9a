/**
 * A small checker of the Kubernetes Pod Security Standards over a pod template, as Pod Security
 * Admission applies them (for Linux pods): the "baseline" controls, and the "restricted" ones on
 * top of them. Only the fields of the pod spec and metadata are read; the levels' rules are those
 * of https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Kubernetes 1.30+).
 */

type Json = any;

/** A profile of the Pod Security Standards. */
export type PodSecurityLevel = 'baseline' | 'restricted';

const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
const PROFILE_TYPES = ['RuntimeDefault', 'Localhost'];
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

function containersOf(spec: Json): Array<{ path: string; c: Json }> {
  return (['initContainers', 'containers', 'ephemeralContainers'] as const).flatMap((field) =>
    (Array.isArray(spec?.[field]) ? spec[field] : []).map((c: Json, i: number) => ({ path: `spec.${field}[${i}]`, c })));
}

function baseline(spec: Json, metadata: Json): string[] {
  const v: string[] = [];
  const pod = spec?.securityContext ?? {};
  const containers = containersOf(spec);
  if (pod.windowsOptions?.hostProcess === true || containers.some(({ c }) => c.securityContext?.windowsOptions?.hostProcess === true)) {
    v.push('HostProcess: windowsOptions.hostProcess must be unset or false');
  }
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec?.[field] === true) {
      v.push(`Host Namespaces: spec.${field} must be unset or false`);
    }
  }
  for (const { path, c } of containers) {
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) {
      v.push(`Privileged Containers: ${path}.securityContext.privileged must be unset or false`);
    }
    for (const cap of sc.capabilities?.add ?? []) {
      if (!BASELINE_CAPABILITIES.includes(cap)) {
        v.push(`Capabilities: ${path}.securityContext.capabilities.add may not hold ${cap}`);
      }
    }
    for (const port of c.ports ?? []) {
      if (port.hostPort !== undefined && port.hostPort !== 0) {
        v.push(`Host Ports: ${path}.ports[].hostPort must be unset or 0`);
      }
    }
    if (sc.procMount !== undefined && sc.procMount !== 'Default') {
      v.push(`/proc Mount Type: ${path}.securityContext.procMount must be unset or Default`);
    }
  }
  for (const volume of spec?.volumes ?? []) {
    if (volume.hostPath !== undefined) {
      v.push(`HostPath Volumes: volume ${volume.name} must not be a hostPath`);
    }
  }
  for (const [where, sc] of [['spec', pod], ...containers.map(({ path, c }) => [path, c.securityContext ?? {}])] as Array<[string, Json]>) {
    if (sc.appArmorProfile?.type !== undefined && !PROFILE_TYPES.includes(sc.appArmorProfile.type)) {
      v.push(`AppArmor: ${where}.securityContext.appArmorProfile.type must be RuntimeDefault or Localhost`);
    }
    const se = sc.seLinuxOptions;
    if (se !== undefined && (!SELINUX_TYPES.includes(se.type ?? '') || (se.user ?? '') !== '' || (se.role ?? '') !== '')) {
      v.push(`SELinux: ${where}.securityContext.seLinuxOptions may only set an allowed type`);
    }
    if (sc.seccompProfile?.type !== undefined && !PROFILE_TYPES.includes(sc.seccompProfile.type)) {
      v.push(`Seccomp: ${where}.securityContext.seccompProfile.type must be RuntimeDefault or Localhost`);
    }
  }
  for (const [key, value] of Object.entries(metadata?.annotations ?? {})) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      v.push(`AppArmor: annotation ${key} must be runtime/default or localhost/*`);
    }
  }
  for (const sysctl of pod.sysctls ?? []) {
    if (!SAFE_SYSCTLS.includes(sysctl.name)) {
      v.push(`Sysctls: ${sysctl.name} is not a safe sysctl`);
    }
  }
  return v;
}

function restricted(spec: Json): string[] {
  const v: string[] = [];
  const pod = spec?.securityContext ?? {};
  for (const volume of spec?.volumes ?? []) {
    const types = Object.keys(volume).filter((k) => k !== 'name');
    if (!types.every((t) => RESTRICTED_VOLUMES.includes(t))) {
      v.push(`Volume Types: volume ${volume.name} must be one of ${RESTRICTED_VOLUMES.join(', ')}`);
    }
  }
  if (pod.runAsNonRoot === false) {
    v.push('Running as Non-root: spec.securityContext.runAsNonRoot must be true');
  }
  if (pod.runAsUser === 0) {
    v.push('Running as Non-root user: spec.securityContext.runAsUser must not be 0');
  }
  const podSeccomp = pod.seccompProfile?.type;
  for (const { path, c } of containersOf(spec)) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) {
      v.push(`Privilege Escalation: ${path}.securityContext.allowPrivilegeEscalation must be false`);
    }
    if (sc.runAsNonRoot === false || (sc.runAsNonRoot === undefined && pod.runAsNonRoot !== true)) {
      v.push(`Running as Non-root: ${path}.securityContext.runAsNonRoot must be true (or set true for the pod)`);
    }
    if (sc.runAsUser === 0) {
      v.push(`Running as Non-root user: ${path}.securityContext.runAsUser must not be 0`);
    }
    const seccomp = sc.seccompProfile?.type;
    if (seccomp === undefined ? !PROFILE_TYPES.includes(podSeccomp) : !PROFILE_TYPES.includes(seccomp)) {
      v.push(`Seccomp: ${path} must run with seccompProfile RuntimeDefault or Localhost (its own or the pod's)`);
    }
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) {
      v.push(`Capabilities: ${path}.securityContext.capabilities.drop must include ALL`);
    }
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE') {
        v.push(`Capabilities: ${path}.securityContext.capabilities.add may only hold NET_BIND_SERVICE, not ${cap}`);
      }
    }
  }
  return v;
}

/**
 * The controls of `level` that a pod template breaks: `[]` when Pod Security Admission would admit
 * its pods into a namespace enforcing that level.
 *
 * @param template a pod template (`{ metadata, spec }`), e.g. a Deployment's `spec.template`
 */
export function podSecurityViolations(template: Json, level: PodSecurityLevel): string[] {
  const found = baseline(template?.spec, template?.metadata);
  return level === 'restricted' ? [...found, ...restricted(template?.spec)] : found;
}
