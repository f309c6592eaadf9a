/**
 * The defaults a website's pods get: resources that always have limits, and the settings of the
 * Pod Security Standards' "restricted" profile. Pure functions, no construct tree.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { checkEnum, show } from '../model/validate';

/**
 * A Linux capability that a container may add back after dropping all of them: those the
 * Pod Security Standards' "baseline" profile allows. Only `NET_BIND_SERVICE` is allowed by the
 * "restricted" profile.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
 */
export enum LinuxCapability {
  /** Write records to the kernel audit log. */
  AUDIT_WRITE = 'AUDIT_WRITE',
  /** Change the owner of files. */
  CHOWN = 'CHOWN',
  /** Bypass file read, write and execute permission checks. */
  DAC_OVERRIDE = 'DAC_OVERRIDE',
  /** Bypass permission checks on operations that require the file's owner. */
  FOWNER = 'FOWNER',
  /** Keep set-user-ID and set-group-ID bits when a file is modified. */
  FSETID = 'FSETID',
  /** Send signals to processes of other users. */
  KILL = 'KILL',
  /** Create special files. */
  MKNOD = 'MKNOD',
  /** Bind ports below 1024. */
  NET_BIND_SERVICE = 'NET_BIND_SERVICE',
  /** Set file capabilities. */
  SETFCAP = 'SETFCAP',
  /** Change the process's group IDs (e.g. nginx switching to its worker user). */
  SETGID = 'SETGID',
  /** Change the process's capability sets. */
  SETPCAP = 'SETPCAP',
  /** Change the process's user IDs (e.g. nginx switching to its worker user). */
  SETUID = 'SETUID',
  /** Use chroot. */
  SYS_CHROOT = 'SYS_CHROOT',
}

/** Requests when a resource is not mentioned (cdk8s-plus-27's own defaults). */
export const DEFAULT_CPU_REQUEST = kplus.Cpu.millis(1000);
/** Limit when a resource is not mentioned, or has only a smaller request (cdk8s-plus-27's own defaults). */
export const DEFAULT_CPU_LIMIT = kplus.Cpu.millis(1500);
/** Requests when a resource is not mentioned (cdk8s-plus-27's own defaults). */
export const DEFAULT_MEMORY_REQUEST = Size.mebibytes(512);
/** Limit when a resource is not mentioned, or has only a smaller request (cdk8s-plus-27's own defaults). */
export const DEFAULT_MEMORY_LIMIT = Size.mebibytes(2048);

/** Millicores of a `Cpu` (`100m` is 100, `1.5` is 1500). */
export function cpuMillis(cpu: kplus.Cpu): number {
  const amount = String(cpu.amount);
  return amount.endsWith('m') ? Number(amount.slice(0, -1)) : Number(amount) * 1000;
}

/**
 * The resources a container gets, so that it always has CPU and memory limits:
 *
 * - a resource not mentioned gets the default request and limit;
 * - a resource with a request and no limit gets the default limit, raised to the request if the
 *   request is larger (a limit below the request is rejected by the API server);
 * - a resource with a limit and no request is left so: Kubernetes then requests the limit;
 * - a limit below its request is an error.
 *
 * @param prop how the resources are named in messages
 */
export function resolveResources(prop: string, given: kplus.ContainerResources | undefined): kplus.ContainerResources {
  if (given === undefined) {
    return {
      cpu: { request: DEFAULT_CPU_REQUEST, limit: DEFAULT_CPU_LIMIT },
      memory: { request: DEFAULT_MEMORY_REQUEST, limit: DEFAULT_MEMORY_LIMIT },
    };
  }
  if (given === null || typeof given !== 'object') {
    throw new Error(`${prop} must be an object of cpu, memory and ephemeralStorage requests and limits, got ${show(given)}`);
  }
  const cpu = given.cpu ?? { request: DEFAULT_CPU_REQUEST };
  const memory = given.memory ?? { request: DEFAULT_MEMORY_REQUEST };
  const cpuLimit = cpu.limit ?? (cpu.request !== undefined && cpuMillis(cpu.request) > cpuMillis(DEFAULT_CPU_LIMIT) ? cpu.request : DEFAULT_CPU_LIMIT);
  const memoryLimit = memory.limit
    ?? (memory.request !== undefined && memory.request.toMebibytes() > DEFAULT_MEMORY_LIMIT.toMebibytes() ? memory.request : DEFAULT_MEMORY_LIMIT);
  if (cpu.request !== undefined && cpuMillis(cpuLimit) < cpuMillis(cpu.request)) {
    throw new Error(`${prop}.cpu.limit must be at least the request (${cpu.request.amount}), got ${cpuLimit.amount}`);
  }
  if (memory.request !== undefined && memoryLimit.toMebibytes() < memory.request.toMebibytes()) {
    throw new Error(`${prop}.memory.limit must be at least the request (${memory.request.toMebibytes()}Mi), got ${memoryLimit.toMebibytes()}Mi`);
  }
  return {
    cpu: { ...(cpu.request !== undefined ? { request: cpu.request } : {}), limit: cpuLimit },
    memory: { ...(memory.request !== undefined ? { request: memory.request } : {}), limit: memoryLimit },
    ...(given.ephemeralStorage !== undefined ? { ephemeralStorage: given.ephemeralStorage } : {}),
  };
}

/**
 * The container's `capabilities`: every capability dropped, `add` put back.
 *
 * @param prop how the list is named in messages
 */
export function renderCapabilities(prop: string, add: readonly LinuxCapability[] | undefined): { drop: string[]; add?: string[] } {
  if (add === undefined || (Array.isArray(add) && add.length === 0)) {
    return { drop: ['ALL'] };
  }
  if (!Array.isArray(add)) {
    throw new Error(`${prop} must be a list of LinuxCapability values, got ${show(add)}`);
  }
  add.forEach((capability, i) => checkEnum(`${prop}[${i}]`, capability, LinuxCapability, 'the capabilities the "baseline" Pod Security Standard allows'));
  if (new Set(add).size !== add.length) {
    throw new Error(`${prop} must not repeat a capability, got ${show(add)}`);
  }
  return { drop: ['ALL'], add: [...add] };
}
