import { RE2JS } from '@bufbuild/re2';

/**
 * Istio's `HTTPMatchRequest` semantics on plain JSON: which requests a match admits.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */

/** A request as the explain command describes it. */
export interface RequestDescription {
  /** The gateway the request comes through (`namespace/name`), or `mesh`. */
  readonly gateway: string;
  /** The Host/authority, as the client sends it. */
  readonly host: string;
  /** The path, with any query string. */
  readonly path: string;
  /** Headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** HTTP method. */
  readonly method: string;
}

/** Match fields that only name the match or that every request meets. */
const NEUTRAL_FIELDS = new Set(['name', 'ignoreUriCase']);

/** A rule with no match, or a match with no condition, admits every request. */
export function isCatchAll(rule: any): boolean {
  const matches = Array.isArray(rule?.match) ? rule.match : [];
  return matches.length === 0 || matches.some((m: any) => conditionCount(m) === 0);
}

function conditionCount(match: any): number {
  return Object.keys(match ?? {}).filter((k) => !NEUTRAL_FIELDS.has(k)).length;
}

/**
 * Each route's share of a rule's requests, in percent, as Istio computes it: a single route takes
 * everything whatever its weight; otherwise each weight (0 when absent) over their total.
 */
export function routeShares(routes: readonly any[]): number[] {
  if (routes.length === 1) {
    return [100];
  }
  const weights = routes.map((r) => (typeof r?.weight === 'number' ? r.weight : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (total === 0 ? 0 : (w * 100) / total));
}

/** A canonical text of a match's conditions (its `name` left out), to compare matches. */
export function matchKey(match: any): string {
  const canonical = (value: any): any => {
    if (Array.isArray(value)) {
      return value.map(canonical);
    }
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value).sort().filter((k) => k !== 'name').map((k) => [k, canonical(value[k])]));
    }
    return value;
  };
  return JSON.stringify(canonical(match ?? {}));
}

/**
 * Whether `value` satisfies an Istio `StringMatch`; `undefined` when it cannot tell.
 * An empty match object requires only presence.
 */
export function stringMatches(condition: any, value: string | undefined, ignoreCase = false): boolean | undefined {
  if (value === undefined) {
    return false;
  }
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  if (condition === null || typeof condition !== 'object' || Object.keys(condition).length === 0) {
    return true;
  }
  if (typeof condition.exact === 'string') {
    return fold(value) === fold(condition.exact);
  }
  if (typeof condition.prefix === 'string') {
    return fold(value).startsWith(fold(condition.prefix));
  }
  if (typeof condition.regex === 'string') {
    try {
      // Istio's regexes are RE2 and must match the whole value.
      return RE2JS.compile(condition.regex, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0).matches(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function splitPath(path: string): { uri: string; query: Map<string, string> } {
  const at = path.indexOf('?');
  const uri = at >= 0 ? path.slice(0, at) : path;
  const query = new Map<string, string>();
  if (at >= 0) {
    for (const pair of path.slice(at + 1).split('&').filter(Boolean)) {
      const eq = pair.indexOf('=');
      query.set(decodeURIComponent(eq >= 0 ? pair.slice(0, eq) : pair), decodeURIComponent(eq >= 0 ? pair.slice(eq + 1) : ''));
    }
  }
  return { uri, query };
}

/**
 * Whether `request` meets every condition of `match`: `true`, `false`, or `undefined` when the
 * match tests something the description does not carry (source labels, ports, ...).
 */
export function requestMatches(match: any, request: RequestDescription): boolean | undefined {
  const { uri, query } = splitPath(request.path);
  let unknown = false;
  const combine = (result: boolean | undefined): boolean => {
    if (result === undefined) {
      unknown = true;
      return true;
    }
    return result;
  };
  for (const [field, condition] of Object.entries(match ?? {}) as Array<[string, any]>) {
    let ok = true;
    switch (field) {
      case 'name':
      case 'ignoreUriCase':
        break;
      case 'uri':
        ok = combine(stringMatches(condition, uri, match.ignoreUriCase === true));
        break;
      case 'method':
        ok = combine(stringMatches(condition, request.method));
        break;
      case 'authority':
        ok = combine(stringMatches(condition, request.host));
        break;
      case 'headers':
        ok = Object.entries(condition ?? {}).every(([name, c]) => combine(stringMatches(c, request.headers[name])));
        break;
      case 'withoutHeaders':
        ok = Object.entries(condition ?? {}).every(([name, c]) => {
          const result = stringMatches(c, request.headers[name]);
          return combine(result === undefined ? undefined : !result);
        });
        break;
      case 'queryParams':
        ok = Object.entries(condition ?? {}).every(([name, c]) => combine(stringMatches(c, query.get(name))));
        break;
      case 'gateways':
        ok = Array.isArray(condition) && condition.includes(request.gateway.split('/').pop()!)
          || Array.isArray(condition) && condition.includes(request.gateway);
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
