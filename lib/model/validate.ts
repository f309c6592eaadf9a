/**
 * Checks on single values, shared by the constructs and the value types.
 *
 * Each check throws an `Error` whose message names the prop as the user wrote it, shows the
 * value received and says what is allowed, so a bad prop fails where it was written.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
// HTTP header field names are RFC 7230 tokens; Istio additionally requires lower case.
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** Formats a received value for an error message. */
export function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

/**
 * A closed choice: one of an enum's values (the exact Kubernetes or Istio literals).
 *
 * @param note what the values are, when it helps (e.g. `the capabilities the "baseline" Pod Security Standard allows`)
 * @returns the value, checked
 */
export function checkEnum<T extends string>(prop: string, value: T, values: Record<string, T>, note?: string): T {
  const allowed: readonly string[] = Object.values(values);
  if (!allowed.includes(value)) {
    throw new Error(`${prop} must be one of ${allowed.join(', ')}${note !== undefined ? ` (${note})` : ''}, got ${show(value)}`);
  }
  return value;
}

/**
 * A Kubernetes object or subset name that must be a DNS-1123 label (at most 63 characters of
 * lower-case letters, digits and `-`, starting and ending with a letter or digit).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
 */
export function checkDnsLabel(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new Error(`${prop} must be a DNS-1123 label (at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit), got ${show(value)}`);
  }
  return value;
}

/** The longest name a DNS-1123 subdomain (most object names) may have. */
export const MAX_SUBDOMAIN = 253;

/** Whether `value` is an object of keys (not `null`, an array or a primitive). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether `value` is a DNS-1035 label, as a Service name must be. */
export function isServiceName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && DNS1035_LABEL.test(value);
}

/**
 * A Service name: a DNS-1035 label (like a DNS-1123 label, but starting with a letter).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names
 */
export function checkServiceName(prop: string, value: string): string {
  if (!isServiceName(value)) {
    throw new Error(`${prop} must be a DNS-1035 label (at most 63 lower-case letters, digits or "-", starting with a letter and ending with a letter or digit), got ${show(value)}`);
  }
  return value;
}

/**
 * An object name that must be a DNS-1123 subdomain (at most 253 characters, dot-separated labels).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names
 */
export function checkDnsSubdomain(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > MAX_SUBDOMAIN || !DNS1123_SUBDOMAIN.test(value)) {
    throw new Error(`${prop} must be a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", at most 253 characters), got ${show(value)}`);
  }
  return value;
}

/**
 * A label value: empty, or at most 63 characters of letters, digits, `-`, `_` and `.`, starting
 * and ending with a letter or digit.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
export function checkLabelValue(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new Error(`${prop} must be a label value (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit), got ${show(value)}`);
  }
  return value;
}

/**
 * A label key: an optional DNS-1123 subdomain prefix and `/`, then a name of at most 63
 * characters.
 */
export function checkLabelKey(prop: string, value: string): string {
  const slash = typeof value === 'string' ? value.lastIndexOf('/') : -1;
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix));
  if (typeof value !== 'string' || !prefixOk || name.length > 63 || !LABEL_NAME.test(name)) {
    throw new Error(`${prop} must be a label key ([prefix/]name, the name at most 63 letters, digits, "-", "_" or "."), got ${show(value)}`);
  }
  return value;
}

/** Checks every key and value of a label map. */
export function checkLabels(prop: string, labels: Record<string, string>): Record<string, string> {
  if (!isPlainObject(labels)) {
    throw new Error(`${prop} must be an object of label keys to values (e.g. { app: 'web' }), got ${show(labels)}`);
  }
  for (const [key, value] of Object.entries(labels)) {
    checkLabelKey(`${prop} key`, key);
    checkLabelValue(`${prop}["${key}"]`, value);
  }
  return { ...labels };
}

/**
 * An HTTP header name as Istio matches it: lower case only, since Istio rejects upper-case keys
 * in `headers` matches.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
export function checkHeaderName(prop: string, value: string): string {
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) {
    const hint = typeof value === 'string' && HEADER_NAME.test(value.toLowerCase())
      ? ` (Istio only matches lower-case header names: use "${value.toLowerCase()}")`
      : '';
    throw new Error(`${prop} must be a lower-case HTTP header name, got ${show(value)}${hint}`);
  }
  return value;
}

/** A boolean prop, when given: plain JavaScript may pass `'true'` or `1`, which would be read wrongly. */
export function checkBoolean(prop: string, value: boolean | undefined): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new Error(`${prop} must be true or false, got ${show(value)}`);
  }
  return value;
}

/** An options object prop, when given: `null`, a string or an array is refused before it is read. */
export function checkOptions<T extends object>(prop: string, value: T | undefined, example: string): T | undefined {
  if (value !== undefined && !isPlainObject(value)) {
    throw new Error(`${prop} must be an object such as ${example}, or left out, got ${show(value)}`);
  }
  return value;
}

/** A whole number within [min, max]. */
export function checkInteger(prop: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number between ${min} and ${max}`;
    throw new Error(`${prop} must be ${range}, got ${show(value)}`);
  }
  return value;
}

/** A TCP port number. */
export function checkPort(prop: string, value: number): number {
  return checkInteger(prop, value, 1, 65535);
}

/**
 * A host as Istio Gateways and VirtualServices take it: a DNS name, optionally with a leading
 * `*.` wildcard, or `*` alone.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
 */
export function checkHost(prop: string, value: string): string {
  const name = typeof value === 'string' && value.startsWith('*.') ? value.slice(2) : value;
  if (value === '*') {
    return value;
  }
  if (typeof value !== 'string' || value.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    throw new Error(`${prop} must be "*", a lower-case DNS name or "*." followed by one, got ${show(value)}`);
  }
  return value;
}

/** Fails when a list holds the same value twice. */
export function checkUnique(prop: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) {
      throw new Error(`${prop} must be unique, got ${show(value)} twice`);
    }
    seen.add(value);
  }
}
