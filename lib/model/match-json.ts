import { RE2JS } from '@bufbuild/re2';
import { resolveGatewayName } from './names';

/**
 * Istio's `HTTPMatchRequest` on its JSON, once: which requests a match admits and how it reads in
 * words. `RequestMatch` renders to this JSON and asks these functions; the mesh checks, explain and
 * diagram ask them about the matches of any manifest. Fields are typed as they may be written, so
 * every value is checked before use.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */

/** An Istio `StringMatch`: one of `exact`, `prefix` or `regex`; an empty object asks only for presence. */
export interface StringMatchJson {
  readonly exact?: unknown;
  readonly prefix?: unknown;
  readonly regex?: unknown;
  readonly [field: string]: unknown;
}

/** An Istio `HTTPMatchRequest` as written in a manifest (fields the checks do not know stay `unknown`). */
export interface HttpMatchJson {
  readonly name?: unknown;
  readonly uri?: StringMatchJson;
  readonly scheme?: StringMatchJson;
  readonly method?: StringMatchJson;
  readonly authority?: StringMatchJson;
  readonly headers?: Readonly<Record<string, StringMatchJson>>;
  readonly withoutHeaders?: Readonly<Record<string, StringMatchJson>>;
  readonly queryParams?: Readonly<Record<string, StringMatchJson>>;
  readonly ignoreUriCase?: unknown;
  readonly port?: unknown;
  readonly sourceLabels?: Readonly<Record<string, unknown>>;
  readonly sourceNamespace?: unknown;
  readonly gateways?: unknown;
  readonly statPrefix?: unknown;
  readonly [field: string]: unknown;
}

/** A request as a match sees it. */
export interface MatchedRequest {
  /** The path, without the query string. */
  readonly uri: string;
  /** Query parameters, decoded. */
  readonly query: ReadonlyMap<string, string>;
  /** Headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The HTTP method, when known. */
  readonly method?: string;
  /** The Host/authority, when known. */
  readonly authority?: string;
  /** The gateway the request comes through (`namespace/name`, or `mesh`), when known. */
  readonly gateway?: string;
  /** The port the request comes to, when known. */
  readonly port?: number;
  /** The path with its query string, as the request line carries it (Envoy's `:path`), when known. */
  readonly path?: string;
  /** The scheme (`http` or `https`), when known. */
  readonly scheme?: string;
}

/**
 * The value of a header a match names: a pseudo-header (`:authority`, `:method`, `:path`,
 * `:scheme`) is the request's Host, method, path with query, scheme, which Envoy matches as
 * headers (pilot passes header names through, and makes `authority`, `method` and `scheme`
 * conditions such matchers too); `undefined` for a pseudo-header the request does not carry, or
 * for a header it does not have. `known` tells the two apart.
 */
function headerValue(request: MatchedRequest, name: string): { value: string | undefined; known: boolean } {
  switch (name) {
    case ':authority':
      return { value: request.authority, known: request.authority !== undefined };
    case ':method':
      return { value: request.method, known: request.method !== undefined };
    case ':path':
      return { value: request.path, known: request.path !== undefined };
    case ':scheme':
      return { value: request.scheme, known: request.scheme !== undefined };
    default:
      return { value: own(request.headers, name), known: true };
  }
}

/** Match fields that only name the match, modify another condition, or name its statistics: every request meets them. */
export const NEUTRAL_MATCH_FIELDS: ReadonlySet<string> = new Set(['name', 'ignoreUriCase', 'statPrefix']);

function isEmptyCondition(condition: unknown): boolean {
  return condition === null || typeof condition !== 'object' || Object.keys(condition).length === 0;
}

// Compiled regexes by flags and pattern: a verification asks the same few patterns many times.
const REGEX_CACHE_SIZE = 256;
const regexes = new Map<string, RE2JS | null>();

function compiled(pattern: string, flags: number): RE2JS | undefined {
  const key = `${flags}:${pattern}`;
  let regex = regexes.get(key);
  if (regex === undefined) {
    try {
      regex = RE2JS.compile(pattern, flags);
    } catch {
      regex = null;
    }
    if (regexes.size >= REGEX_CACHE_SIZE) {
      regexes.clear();
    }
    regexes.set(key, regex);
  }
  return regex ?? undefined;
}

/**
 * Whether `value` satisfies an Istio `StringMatch`; `undefined` when it cannot tell (an invalid
 * regex, an unknown field). An empty match object requires only presence. `ignoreCase`
 * (`ignoreUriCase`) folds case for `exact` and `prefix` only: Istio's API ignores case only for
 * those, and Envoy ignores `case_sensitive` for the `safe_regex` a `regex` becomes (pilot's
 * `TranslateRouteMatch`).
 */
export function stringMatches(condition: StringMatchJson | undefined, value: string | undefined, ignoreCase = false): boolean | undefined {
  if (value === undefined) {
    return false;
  }
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  if (condition === undefined || isEmptyCondition(condition)) {
    return true;
  }
  if (typeof condition.exact === 'string') {
    return fold(value) === fold(condition.exact);
  }
  if (typeof condition.prefix === 'string') {
    return fold(value).startsWith(fold(condition.prefix));
  }
  if (typeof condition.regex === 'string') {
    // Istio's regexes are RE2 and must match the whole value, with case as written.
    return compiled(condition.regex, 0)?.matches(value);
  }
  return undefined;
}

/** The value of `name` in `record`, if `record` has it as its own (never one of `Object.prototype`'s). */
function own<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

/** The named conditions of `headers`, `withoutHeaders` or `queryParams`, whatever was written there. */
function entries(value: unknown): Array<[string, StringMatchJson]> {
  return Object.entries((value ?? {}) as Record<string, StringMatchJson>);
}

/** Whether a match names gateways (a non-empty `gateways` list). */
function namesGateways(match: HttpMatchJson | undefined): boolean {
  return Array.isArray(match?.gateways) && match.gateways.length > 0;
}

/**
 * The conditions of a match that Istio applies: a match that names gateways leaves its
 * `sourceLabels` and `sourceNamespace` unused (pilot's `sourceMatchHTTP` tests the gateways
 * instead of them).
 */
export function effectiveMatch(match: HttpMatchJson | undefined): HttpMatchJson | undefined {
  if (!namesGateways(match)) {
    return match;
  }
  const { sourceLabels: _labels, sourceNamespace: _namespace, ...rest } = match!;
  return rest;
}

/**
 * Whether `request` meets every condition of `match`: `true`, `false`, or `undefined` when the
 * match tests something the request does not carry (source labels, an unknown port, ...).
 * `namespace` is the VirtualService's, in which the match's gateway names are resolved as
 * pilot's `resolveGatewayName` does; without it, a short name is compared with the gateway's name.
 */
export function matchAdmits(match: HttpMatchJson | undefined, request: MatchedRequest, namespace?: string): boolean | undefined {
  match = effectiveMatch(match);
  let unknown = false;
  const combine = (result: boolean | undefined): boolean => {
    if (result === undefined) {
      unknown = true;
      return true;
    }
    return result;
  };
  for (const [field, condition] of Object.entries(match ?? {})) {
    if (NEUTRAL_MATCH_FIELDS.has(field)) {
      continue;
    }
    let ok = true;
    switch (field) {
      case 'uri':
        ok = combine(stringMatches(condition as StringMatchJson, request.uri, match?.ignoreUriCase === true));
        break;
      case 'method':
        ok = combine(stringMatches(condition as StringMatchJson, request.method));
        break;
      case 'authority':
        ok = combine(stringMatches(condition as StringMatchJson, request.authority));
        break;
      case 'scheme':
        ok = combine(request.scheme === undefined ? undefined : stringMatches(condition as StringMatchJson, request.scheme));
        break;
      case 'headers':
        ok = entries(condition).every(([name, c]) => {
          const { value, known } = headerValue(request, name);
          return combine(known ? stringMatches(c, value) : undefined);
        });
        break;
      case 'withoutHeaders':
        ok = entries(condition).every(([name, c]) => {
          const { value, known } = headerValue(request, name);
          const result = known ? stringMatches(c, withoutHeaderValue(c, value)) : undefined;
          return combine(result === undefined ? undefined : !result);
        });
        break;
      case 'queryParams':
        ok = entries(condition).every(([name, c]) => combine(stringMatches(c, request.query.get(name))));
        break;
      case 'port':
        ok = combine(request.port === undefined ? undefined : Number(condition) === request.port);
        break;
      case 'gateways':
        ok = combine(request.gateway === undefined ? undefined : Array.isArray(condition) && condition.some((g) => gatewayNamed(String(g), request.gateway!, namespace)));
        break;
      default:
        unknown = true;
    }
    if (!ok) {
      return false;
    }
  }
  return unknown ? undefined : true;
}

/**
 * The value a `withoutHeaders` condition tests for a header: pilot inverts the condition and, but
 * for a presence condition, sets Envoy's `treat_missing_header_as_empty`, so a missing header is
 * tested as `""` (`withoutHeaders: {x: {regex: ".*"}}` takes no request at all).
 */
export function withoutHeaderValue(condition: StringMatchJson | undefined, value: string | undefined): string | undefined {
  return value === undefined && !isEmptyCondition(condition) ? '' : value;
}

/** Whether a gateway name written in a match of a VirtualService of `namespace` names `gateway` (`namespace/name` or `mesh`). */
function gatewayNamed(written: string, gateway: string, namespace: string | undefined): boolean {
  if (namespace !== undefined) {
    return resolveGatewayName(written, namespace) === gateway;
  }
  return written === gateway || (!written.includes('/') && !written.includes('.') && gateway.endsWith(`/${written}`));
}

/** `exactly "canary-test"`, `starting with "/shop"`, `matching /v2.*\/`, `present`. */
export function describeStringMatch(condition: StringMatchJson | undefined): string {
  if (condition === undefined || isEmptyCondition(condition)) {
    return 'present';
  }
  if (condition.exact !== undefined) {
    return `exactly "${String(condition.exact)}"`;
  }
  if (condition.prefix !== undefined) {
    return `starting with "${String(condition.prefix)}"`;
  }
  if (condition.regex !== undefined) {
    return `matching /${String(condition.regex)}/`;
  }
  return JSON.stringify(condition);
}

/** `header qa exactly "canary-test"`, `uri starting with "/shop"`; `every request` for none. */
export function describeMatch(match: HttpMatchJson | undefined): string {
  const parts: string[] = [];
  for (const [field, condition] of Object.entries(match ?? {})) {
    if (field === 'name' || field === 'ignoreUriCase') {
      continue;
    }
    if (field === 'headers' || field === 'queryParams') {
      const noun = field === 'headers' ? 'header' : 'query parameter';
      for (const [name, c] of entries(condition)) {
        parts.push(`${noun} ${name} ${describeStringMatch(c)}`);
      }
    } else if (field === 'withoutHeaders') {
      for (const [name, c] of entries(condition)) {
        parts.push(`not header ${name} ${describeStringMatch(c)}`);
      }
    } else if (['uri', 'method', 'authority', 'scheme'].includes(field)) {
      parts.push(`${field} ${describeStringMatch(condition as StringMatchJson)}`);
    } else {
      parts.push(`${field} ${JSON.stringify(condition)}`);
    }
  }
  return parts.length === 0 ? 'every request' : parts.join(' and ');
}
