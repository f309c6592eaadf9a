/**
 * The rules of Istio's validation webhook (istio/istio 1.30.3, `pkg/config/validation/validation.go`,
 * `virtualservice.go`, `header_value_validator.go` and `agent/validation.go`) for the fields this
 * library emits, over plain values.
 *
 * The CRD schema accepts some values that the webhook then rejects, so `kubectl apply` fails in a
 * real cluster although a schema check passes. Each rule here is written once and used twice: the
 * constructs throw with it (naming the prop), and `verify` reports it as a finding over manifests
 * written by hand.
 *
 * A rule returns `undefined` when the value is accepted, else what is wrong, phrased to follow the
 * name of the field: `must not be empty`.
 */
import { RE2JS } from '@bufbuild/re2';
import { ISTIO_GATEWAY_CLASS } from '../model/names';

/** Longest regex the webhook accepts, in bytes of UTF-8 (`validateStringRegexp`). */
export const REGEX_MAX_BYTES = 1024;

/** Smallest non-zero fault percentage the webhook accepts (`validatePercentage`). */
export const PERCENT_MIN = 0.0001;

/**
 * Retry conditions the webhook knows (`supportedRetryOnPolicies`); HTTP status codes are accepted
 * too.
 */
export const RETRY_ON_POLICIES: readonly string[] = [
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
];

// The codes for which Go's `http.StatusText` is not empty: what the webhook takes as a status in `retryOn`.
const HTTP_STATUS_CODES = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423,
  424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

// RFC 7230 token characters, as the webhook's character class has them: its `+-.` is a range, so
// it also lets "," through.
const HEADER_NAME = /^[!#$%&'*+,\-.^_`|~A-Za-z0-9]+$/;
const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path', ':status']);
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Bytes the webhook refuses in a header value: control characters other than horizontal tab.
// eslint-disable-next-line no-control-regex
const HEADER_VALUE_CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;

/** An RE2 regex in a `StringMatch`: not empty, at most 1,024 bytes, valid syntax. */
export function regexProblem(pattern: string): string | undefined {
  if (pattern === '') {
    return 'must not be empty (Istio rejects an empty regex; use present() to match any value)';
  }
  const bytes = Buffer.byteLength(pattern, 'utf8');
  if (bytes > REGEX_MAX_BYTES) {
    return `must be at most ${REGEX_MAX_BYTES} bytes long (Istio's limit); it has ${bytes}`;
  }
  try {
    RE2JS.compile(pattern);
  } catch (err) {
    return `must be valid RE2 syntax: ${(err as Error).message}`;
  }
  return undefined;
}

/** A `StringMatch` object (`{exact}`, `{prefix}`, `{regex}` or `{}`). */
export function stringMatchProblem(match: unknown, where: 'uri' | 'other'): string | undefined {
  if (match === null || typeof match !== 'object') {
    return undefined;
  }
  const m = match as Record<string, unknown>;
  if (typeof m.regex === 'string') {
    const problem = regexProblem(m.regex);
    return problem && `regex ${problem}`;
  }
  // The path may have an empty prefix (Envoy takes it); headers and query parameters may not.
  if (where === 'other' && m.prefix === '') {
    return 'prefix must not be empty';
  }
  return undefined;
}

/** A header name in a match: an RFC 7230 token, a pseudo-header or a JWT claim. */
export function matchHeaderNameProblem(name: string): string | undefined {
  if (name === '') {
    return 'must not be empty';
  }
  if (/^@request\.auth\.claims(\..+|\[.+\])$/i.test(name) || PSEUDO_HEADERS.has(name) || HEADER_NAME.test(name)) {
    return undefined;
  }
  return 'must be an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)';
}

/** The name of a header a route adds, sets or removes in a response. */
export function responseHeaderNameProblem(name: string): string | undefined {
  if (name === '') {
    return 'must not be empty';
  }
  if (name.toLowerCase() === 'host') {
    return 'must not be the Host header';
  }
  return name.startsWith(':') ? 'must not start with ":" (pseudo-headers cannot be changed)' : undefined;
}

/** The name of a header a route adds or sets in a request (`:authority` and `host` are allowed). */
export function requestHeaderNameProblem(name: string): string | undefined {
  if (name === '') {
    return 'must not be empty';
  }
  const authority = name.toLowerCase() === ':authority' || name.toLowerCase() === 'host';
  return name.startsWith(':') && !authority ? 'must not start with ":" (pseudo-headers cannot be changed)' : undefined;
}

/**
 * A header value a route adds or sets. Envoy reads `%NAME%` and `%NAME(args)%` in it as variables
 * and `%%` as a literal `%`; the webhook refuses a value whose `%` expressions are not closed the
 * way Envoy's parser expects, and control characters other than tab.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#custom-request-response-headers
 */
export function headerValueProblem(value: string): string | undefined {
  if (HEADER_VALUE_CONTROL.test(value)) {
    return 'must not contain control characters';
  }
  // The states of the scan, named after what the next character may be.
  type State = 'text' | 'name' | 'args' | 'next-string' | 'string' | 'after-string' | 'close-paren' | 'close-percent';
  let state: State = 'text';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const space = ch === ' ';
    switch (state) {
      case 'text':
        if (ch === '%') {
          if (i + 1 >= value.length) {
            return 'must write a literal "%" as "%%" (Envoy reads %NAME% as a variable)';
          }
          if (value[i + 1] === '%') {
            i++;
          } else {
            state = 'name';
          }
        }
        break;
      case 'name':
        state = ch === '%' ? 'text' : ch === '(' ? 'args' : 'name';
        break;
      case 'args':
        // A "[" opens a list of quoted strings; anything else starts a bare argument.
        state = ch === '[' ? 'next-string' : space ? 'args' : 'string';
        break;
      case 'next-string':
        if (ch === '"') {
          state = 'string';
        } else if (!space) {
          return 'must quote each argument of a %NAME([...])% variable';
        }
        break;
      case 'string':
        if (ch === '\\') {
          if (i + 1 >= value.length) {
            return 'must not end with a backslash inside a %NAME(...)% variable';
          }
          i++;
        } else if (ch === ')') {
          state = 'close-percent';
        } else if (ch === '"') {
          state = 'after-string';
        }
        break;
      case 'after-string':
        if (ch === ',') {
          state = 'next-string';
        } else if (ch === ']') {
          state = 'close-paren';
        } else if (!space) {
          return 'must separate the arguments of a %NAME([...])% variable with ","';
        }
        break;
      case 'close-paren':
        if (ch === ')') {
          state = 'close-percent';
        } else if (!space) {
          return 'must close the arguments of a %NAME(...)% variable with ")"';
        }
        break;
      case 'close-percent':
        if (ch === '%') {
          state = 'text';
        } else if (!space) {
          return 'must close a %NAME(...)% variable with "%"';
        }
        break;
    }
  }
  return state === 'text' ? undefined : 'must write a literal "%" as "%%" (Envoy reads %NAME% as a variable, and this one is not closed)';
}

/** A fault's `percentage.value`: 0, or from 0.0001 to 100. */
export function percentProblem(value: number): string | undefined {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || value > 100 || (value > 0 && value < PERCENT_MIN)) {
    return `must be 0 or between ${PERCENT_MIN} and 100 (Istio's limits)`;
  }
  return undefined;
}

/**
 * Whether a mirror percentage copies no request at all: Istio turns it into millionths, dropping
 * the fraction (`translatePercentToFractionalPercent` in pilot's `route.go`), so a value below
 * 0.0001 becomes 0.
 */
export function mirrorCopiesNothing(value: number): boolean {
  return Math.trunc(value * 10000) <= 0;
}

/** A `mirrorPercentage.value`: between 0 and 100. */
export function mirrorPercentProblem(value: number): string | undefined {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || value > 100) {
    return 'must be between 0 and 100';
  }
  return undefined;
}

/** The longest duration Go's `time.Duration` holds (2^63 - 1 ns), in milliseconds. */
const MAX_DURATION_MS = 9_223_372_036_854;

/**
 * A duration, in milliseconds: at least 1 ms, whole milliseconds (`agent.ValidateDuration`), and
 * no longer than Go's `time.Duration` holds (the CRD's CEL rule fails to parse a longer one).
 */
export function durationProblem(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < 1) {
    return 'must be at least 1ms';
  }
  if (ms > MAX_DURATION_MS) {
    return 'must be at most 2562047h (the longest duration Istio holds, about 292 years)';
  }
  return Number.isInteger(ms) ? undefined : 'must be a whole number of milliseconds';
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration as Istio's YAML takes it (`5s`, `250ms`, `1m30s`, `1.5s`), in milliseconds. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$/.test(text)) {
    return undefined;
  }
  let total = 0;
  for (const [, amount, , unit] of text.matchAll(/(\d+(\.\d*)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * UNIT_MS[unit];
  }
  // Sub-millisecond parts are kept exact enough to be found by durationProblem.
  return Math.round(total * 1e6) / 1e6;
}

/** One `retryOn` condition: a known policy or an HTTP status code. */
export function retryOnProblem(condition: string): string | undefined {
  if (RETRY_ON_POLICIES.includes(condition) || (/^\d+$/.test(condition) && HTTP_STATUS_CODES.has(Number(condition)))) {
    return undefined;
  }
  return `must be an HTTP status code or one of ${RETRY_ON_POLICIES.join(', ')}`;
}

/**
 * Retries as a whole: attempts must not be negative, and with 0 attempts (retries off) no other
 * setting may be given.
 */
export function retriesProblem(retries: { readonly attempts?: number; readonly perTryTimeout?: unknown; readonly retryOn?: unknown; readonly retryRemoteLocalities?: unknown }): string | undefined {
  const attempts = retries.attempts ?? 0;
  if (attempts < 0) {
    return 'attempts must not be negative';
  }
  if (attempts === 0) {
    const set = (['perTryTimeout', 'retryOn', 'retryRemoteLocalities'] as const)
      .filter((k) => retries[k] !== undefined && retries[k] !== '');
    if (set.length > 0) {
      return `attempts of 0 turns retries off, so ${set.join(' and ')} must not be set (Istio rejects them)`;
    }
  }
  return undefined;
}

/** A fault's HTTP status (`validateHTTPStatus`). */
export function httpStatusProblem(status: number): string | undefined {
  return Number.isInteger(status) && status >= 200 && status <= 600 ? undefined : 'must be an HTTP status from 200 to 599';
}

/** A subset name: a DNS-1123 label (`validateSubsetName`). */
export function subsetNameProblem(name: unknown): string | undefined {
  return typeof name === 'string' && name.length > 0 && name.length <= 63 && DNS1123_LABEL.test(name)
    ? undefined : 'must be a DNS-1123 label (at most 63 lower-case letters, digits or "-")';
}

/** A Gateway's name: a DNS-1123 label, no dots (`ValidateGateway`). */
export function gatewayNameProblem(name: string): string | undefined {
  return typeof name === 'string' && name.length <= 63 && DNS1123_LABEL.test(name)
    ? undefined : 'must be a DNS-1123 label (at most 63 lower-case letters, digits or "-", no dots): Istio rejects other Gateway names';
}

export { ISTIO_GATEWAY_CLASS };

/** The longest name of a Gateway API Gateway of class `istio` that Istio can deploy: 63 - "-istio". */
export const MAX_ISTIO_GATEWAY_NAME = 63 - `-${ISTIO_GATEWAY_CLASS}`.length;

/**
 * Why Istio cannot deploy the gateway of a Gateway API Gateway of class `istio` called `name`, if
 * it cannot: it names the Deployment and Service `<name>-istio` (`GetDefaultName`), and also
 * writes that name as a pod label value; a Service name is a DNS-1035 label and a label value at
 * most 63 characters, so the API server refuses them and the gateway never runs.
 */
export function istioGatewayDeploymentProblem(name: string): string | undefined {
  const deployed = `${name}-${ISTIO_GATEWAY_CLASS}`;
  if (deployed.length > 63) {
    return `gives the Deployment and Service that Istio creates for the Gateway the name "${deployed}", ${name.length} + ${deployed.length - name.length} = ${deployed.length} characters, more than the 63 a Service name and a label value may have, so the API server refuses them and the gateway is never deployed`;
  }
  if (!/^[a-z]/.test(name)) {
    return `gives the Service that Istio creates for the Gateway the name "${deployed}", which does not start with a letter as a Service name (a DNS-1035 label) must, so the API server refuses it and the gateway is never deployed`;
  }
  return undefined;
}

/**
 * A VirtualService's (or a match's) gateway names written `namespace/name` (`validateGatewayNames`):
 * both parts must be DNS-1123 labels, so `./name` is refused. As the webhook does, the names after
 * the first one without a `/` (a short name, `mesh` or the legacy FQDN form) are not looked at.
 */
function checkGatewayNames(issues: Issues, path: string, names: unknown): void {
  const written = list(names);
  for (let i = 0; i < written.length; i++) {
    const name = written[i];
    if (typeof name !== 'string') {
      continue;
    }
    const slash = name.indexOf('/');
    if (slash < 0) {
      return;
    }
    const [ns, gateway] = [name.slice(0, slash), name.slice(slash + 1)];
    const bad = [['namespace', ns], ['name', gateway]].filter(([, part]) => !(part.length > 0 && part.length <= 63 && DNS1123_LABEL.test(part)));
    if (bad.length > 0) {
      add(issues, `${path}[${i}]`, `"${name}" has a ${bad.map(([what, part]) => `${what} part "${part}"`).join(' and a ')} that is not a DNS-1123 label: write namespace/name, or the name alone for a Gateway of the VirtualService's namespace${ns === '.' ? ` ("${gateway}")` : ''}`);
    }
  }
}

/** Whether two VirtualService hosts overlap as Istio sees it (`host.Name.Matches`). */
export function hostsOverlap(a: string, b: string): boolean {
  const wa = a.startsWith('*');
  const wb = b.startsWith('*');
  if (wa && wb) {
    return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  }
  if (wa) {
    return b.endsWith(a.slice(1));
  }
  if (wb) {
    return a.endsWith(b.slice(1));
  }
  return a === b;
}

/** A VirtualService's hosts: no two may overlap (`*.example.com` and `www.example.com` do). */
export function duplicateHostsProblem(hosts: readonly string[]): string | undefined {
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      if (hostsOverlap(hosts[i], hosts[j])) {
        return `must not overlap: "${hosts[i]}" and "${hosts[j]}" are duplicates for Istio (one covers the other)`;
      }
    }
  }
  return undefined;
}

/** One thing Istio's webhook rejects in an object, at a path of its spec. */
export interface ValidationIssue {
  /** Where, e.g. `spec.http[0].retries`. */
  readonly path: string;
  /** What is wrong, e.g. `attempts must not be negative`. */
  readonly message: string;
}

type Issues = ValidationIssue[];

/** A JSON object as written: its fields hold whatever the object holds. */
type Fields = Readonly<Record<string, unknown>>;

function obj(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Fields : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function add(issues: Issues, path: string, problem: string | undefined): void {
  if (problem !== undefined) {
    issues.push({ path, message: problem });
  }
}

function checkDuration(issues: Issues, path: string, value: unknown): void {
  if (value === undefined) {
    return;
  }
  const ms = parseDuration(value);
  add(issues, path, ms === undefined ? `must be a duration such as "5s" or "250ms", got ${JSON.stringify(value)}` : durationProblem(ms));
}

function checkHeaderOperations(issues: Issues, path: string, headers: unknown): void {
  const h = obj(headers);
  for (const side of ['request', 'response'] as const) {
    const ops = obj(h?.[side]);
    const nameProblem = side === 'request' ? requestHeaderNameProblem : responseHeaderNameProblem;
    for (const op of ['add', 'set'] as const) {
      for (const [name, value] of Object.entries(obj(ops?.[op]) ?? {})) {
        add(issues, `${path}.${side}.${op}["${name}"]`, nameProblem(name));
        add(issues, `${path}.${side}.${op}["${name}"]`, typeof value === 'string' ? headerValueProblem(value) : undefined);
      }
    }
    for (const name of list(ops?.remove)) {
      add(issues, `${path}.${side}.remove`, typeof name === 'string' ? responseHeaderNameProblem(name) : undefined);
    }
  }
}

function checkMatch(issues: Issues, path: string, match: Fields): void {
  for (const field of ['headers', 'withoutHeaders'] as const) {
    for (const [name, m] of Object.entries(obj(match[field]) ?? {})) {
      add(issues, `${path}.${field}["${name}"]`, matchHeaderNameProblem(name));
      // In withoutHeaders, the regex "*" means "present" rather than a regex.
      if (!(field === 'withoutHeaders' && obj(m)?.regex === '*')) {
        add(issues, `${path}.${field}["${name}"]`, stringMatchProblem(m, 'other'));
      }
    }
  }
  add(issues, `${path}.uri`, stringMatchProblem(match.uri, 'uri'));
  for (const field of ['scheme', 'method', 'authority'] as const) {
    add(issues, `${path}.${field}`, stringMatchProblem(match[field], 'other'));
  }
  for (const [name, m] of Object.entries(obj(match.queryParams) ?? {})) {
    add(issues, `${path}.queryParams["${name}"]`, stringMatchProblem(m, 'other'));
  }
}

function checkFault(issues: Issues, path: string, fault: Fields): void {
  const abort = obj(fault.abort);
  const delay = obj(fault.delay);
  if (abort === undefined && delay === undefined) {
    add(issues, path, 'must have an abort, a delay or both');
  }
  for (const [name, part] of [['abort', abort], ['delay', delay]] as const) {
    const value = obj(part?.percentage)?.value;
    if (typeof value === 'number') {
      add(issues, `${path}.${name}.percentage.value`, percentProblem(value));
    }
  }
  if (typeof abort?.httpStatus === 'number') {
    add(issues, `${path}.abort.httpStatus`, httpStatusProblem(abort.httpStatus));
  }
  checkDuration(issues, `${path}.delay.fixedDelay`, delay?.fixedDelay);
}

function checkRetries(issues: Issues, path: string, retries: Fields): void {
  // Read as written, as before: a non-number attempts is compared as JavaScript compares it.
  add(issues, path, retriesProblem(retries as Parameters<typeof retriesProblem>[0]));
  checkDuration(issues, `${path}.perTryTimeout`, retries.perTryTimeout);
  checkDuration(issues, `${path}.backoff`, retries.backoff);
  if (typeof retries.retryOn === 'string' && retries.retryOn !== '') {
    for (const condition of retries.retryOn.split(',')) {
      const problem = retryOnProblem(condition);
      add(issues, `${path}.retryOn`, problem && `"${condition}" ${problem}`);
    }
  }
}

function checkDestination(issues: Issues, path: string, destination: unknown): void {
  const subset = obj(destination)?.subset;
  if (subset !== undefined && subset !== '') {
    add(issues, `${path}.subset`, subsetNameProblem(subset));
  }
}

/** What the webhook rejects in a VirtualService's spec (HTTP routes and hosts). */
export function virtualServiceIssues(spec: unknown): ValidationIssue[] {
  const issues: Issues = [];
  const s = obj(spec) ?? {};
  const hosts = list(s.hosts).filter((h): h is string => typeof h === 'string');
  add(issues, 'spec.hosts', duplicateHostsProblem(hosts));
  checkGatewayNames(issues, 'spec.gateways', s.gateways);
  // A VirtualService without hosts is a delegate: Istio refuses gateways, tcp and tls rules on it, and a delegate of its own.
  const isDelegate = list(s.hosts).length === 0;
  if (isDelegate) {
    for (const field of ['gateways', 'tcp', 'tls'] as const) {
      add(issues, `spec.${field}`, list(s[field]).length > 0 ? 'must be empty in a delegate VirtualService (one without hosts)' : undefined);
    }
  }
  list(s.http).forEach((rule, i) => {
    const r = obj(rule);
    if (r === undefined) {
      return;
    }
    const path = `spec.http[${i}]`;
    if (r.delegate !== undefined && r.delegate !== null) {
      add(issues, `${path}.delegate`, isDelegate ? 'must not be set in a delegate VirtualService (one without hosts): delegates do not chain' : undefined);
      add(issues, `${path}.route`, !isDelegate && list(r.route).length > 0 ? 'must not be set beside delegate: the delegate\'s rules route' : undefined);
      add(issues, `${path}.redirect`, !isDelegate && obj(r.redirect) !== undefined ? 'must not be set beside delegate: the delegate\'s rules route' : undefined);
    }
    list(r.match).forEach((m, j) => {
      const match = obj(m);
      if (match !== undefined) {
        checkMatch(issues, `${path}.match[${j}]`, match);
        checkGatewayNames(issues, `${path}.match[${j}].gateways`, match.gateways);
      }
    });
    checkHeaderOperations(issues, `${path}.headers`, r.headers);
    list(r.route).forEach((d, j) => {
      checkHeaderOperations(issues, `${path}.route[${j}].headers`, obj(d)?.headers);
      checkDestination(issues, `${path}.route[${j}].destination`, obj(d)?.destination);
    });
    const fault = obj(r.fault);
    if (fault !== undefined) {
      checkFault(issues, `${path}.fault`, fault);
    }
    const retries = obj(r.retries);
    if (retries !== undefined) {
      checkRetries(issues, `${path}.retries`, retries);
    }
    const mirrorValue = obj(r.mirrorPercentage)?.value;
    if (typeof mirrorValue === 'number') {
      add(issues, `${path}.mirrorPercentage.value`, mirrorPercentProblem(mirrorValue));
    }
    checkDestination(issues, `${path}.mirror`, r.mirror);
    if (r.mirror !== undefined && list(r.mirrors).length > 0) {
      add(issues, path, 'must not have both mirror and mirrors');
    }
    checkDuration(issues, `${path}.timeout`, r.timeout);
  });
  return issues;
}

function checkTrafficPolicy(issues: Issues, path: string, policy: unknown): void {
  const p = obj(policy);
  if (p === undefined) {
    return;
  }
  if (Object.keys(p).length === 0) {
    add(issues, path, 'must have at least one field');
    return;
  }
  const pool = obj(p.connectionPool);
  if (pool !== undefined) {
    if (obj(pool.http) === undefined && obj(pool.tcp) === undefined) {
      add(issues, `${path}.connectionPool`, 'must have http, tcp or both');
    }
    for (const [side, fields] of [['http', ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams']], ['tcp', ['maxConnections']]] as const) {
      for (const field of fields) {
        const value = obj(pool[side])?.[field];
        add(issues, `${path}.connectionPool.${side}.${field}`, typeof value === 'number' && value < 0 ? 'must not be negative' : undefined);
      }
    }
    checkDuration(issues, `${path}.connectionPool.tcp.connectTimeout`, obj(pool.tcp)?.connectTimeout);
    checkDuration(issues, `${path}.connectionPool.http.idleTimeout`, obj(pool.http)?.idleTimeout);
  }
  const outlier = obj(p.outlierDetection);
  if (outlier !== undefined) {
    checkDuration(issues, `${path}.outlierDetection.interval`, outlier.interval);
    checkDuration(issues, `${path}.outlierDetection.baseEjectionTime`, outlier.baseEjectionTime);
    for (const field of ['maxEjectionPercent', 'minHealthPercent']) {
      const value = outlier[field];
      add(issues, `${path}.outlierDetection.${field}`, typeof value === 'number' && (value < 0 || value > 100) ? 'must be between 0 and 100' : undefined);
    }
    if (!outlier.splitExternalLocalOriginErrors && Number(outlier.consecutiveLocalOriginFailures ?? 0) > 0) {
      add(issues, `${path}.outlierDetection.consecutiveLocalOriginFailures`, 'needs splitExternalLocalOriginErrors: true');
    }
  }
}

/** What the webhook rejects in a DestinationRule's spec (traffic policies and subset names). */
export function destinationRuleIssues(spec: unknown): ValidationIssue[] {
  const issues: Issues = [];
  const s = obj(spec) ?? {};
  checkTrafficPolicy(issues, 'spec.trafficPolicy', s.trafficPolicy);
  list(s.subsets).forEach((subset, i) => checkTrafficPolicy(issues, `spec.subsets[${i}].trafficPolicy`, obj(subset)?.trafficPolicy));
  return issues;
}

/** What the webhook rejects in a Gateway: its name and its servers' ports. */
export function gatewayIssues(name: unknown, spec: unknown): ValidationIssue[] {
  const issues: Issues = [];
  if (typeof name === 'string') {
    add(issues, 'metadata.name', gatewayNameProblem(name));
  }
  const servers = list(obj(spec)?.servers);
  if (servers.length === 0) {
    add(issues, 'spec.servers', 'must list at least one server');
  }
  const names = new Set<string>();
  servers.forEach((server, i) => {
    const port = obj(obj(server)?.port);
    if (port === undefined) {
      add(issues, `spec.servers[${i}].port`, 'is required');
      return;
    }
    if (typeof port.name !== 'string' || port.name === '') {
      add(issues, `spec.servers[${i}].port.name`, 'must be set');
    } else if (names.has(port.name)) {
      add(issues, `spec.servers[${i}].port.name`, `must be unique among the servers, got "${port.name}" twice`);
    } else {
      names.add(port.name);
    }
    const protocol = String(port.protocol ?? '').toUpperCase();
    if ((protocol === 'HTTPS' || protocol === 'TLS') && obj(obj(server)?.tls) === undefined) {
      add(issues, `spec.servers[${i}].tls`, `is required for a ${protocol} server`);
    }
  });
  return issues;
}
