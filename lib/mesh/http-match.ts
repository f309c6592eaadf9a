import { hostServes } from '../model/hosts';
import { effectiveMatch, HttpMatchJson, matchAdmits, NEUTRAL_MATCH_FIELDS, StringMatchJson, stringMatches } from '../model/match-json';
import { resolveGatewayName } from '../model/names';
import { L4MatchJson, RuleJson } from './json';

/**
 * Istio's `HTTPMatchRequest` semantics on plain JSON, for the mesh checks: which requests a match
 * admits (the semantics themselves are `lib/model/match-json.ts`'s), which matches take all
 * requests, and which match covers another.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */

/** A request as the explain command describes it. */
export interface RequestDescription {
  /** The gateway the request comes through (`namespace/name`), or `mesh`. */
  readonly gateway: string;
  /** The host the proxy routes by: the Host/authority the client sends, lower case, without a port. */
  readonly host: string;
  /** The path, with any query string. */
  readonly path: string;
  /** Headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** HTTP method. */
  readonly method: string;
  /**
   * The port the request comes to.
   * @default - unknown: a match on a port cannot be judged
   */
  readonly port?: number;
  /**
   * The Host header as the client sends it, when it differs from `host` (which is lower case,
   * without a port): `authority` conditions test this value.
   * @default - `host`
   */
  readonly authority?: string;
  /**
   * The scheme the request comes with: `http` in the mesh, that of the gateway's servers or
   * listeners (of the port) otherwise.
   * @default - unknown: a scheme condition cannot be judged
   */
  readonly scheme?: string;
  /**
   * In the mesh, the namespace of the calling pod.
   * @default - not in the mesh
   */
  readonly fromNamespace?: string;
}

/** A rule with no match, or a match with no condition, admits every request. */
export function isCatchAll(rule: RuleJson | undefined): boolean {
  const matches: readonly object[] = Array.isArray(rule?.match) ? rule.match : [];
  return matches.length === 0 || matches.some((m) => conditionCount(m) === 0);
}

function conditionCount(match: object | undefined): number {
  return Object.keys(match ?? {}).filter((k) => !NEUTRAL_MATCH_FIELDS.has(k)).length;
}

/**
 * Whether a match gives a route that takes every request, as pilot's `IsCatchAllRoute` judges the
 * route it makes: a path of prefix `/` (also no `uri`) or regex `.*`, and no header (`method`,
 * `authority` and `scheme` are headers too) or query parameter condition. A port, gateways or
 * source condition does not count: it decides whether the route is made at all. `undefined`
 * (a rule without matches) takes every request.
 */
export function envoyCatchAll(match: HttpMatchJson | undefined): boolean {
  if (match === null || typeof match !== 'object') {
    return true;
  }
  return Object.entries(match).every(([field, condition]) => {
    switch (field) {
      case 'uri': {
        const uri = (condition ?? {}) as StringMatchJson;
        const kinds = Object.keys(uri);
        return kinds.length === 0 || (uri.prefix === '/' && kinds.length === 1) || (uri.regex === '.*' && kinds.length === 1);
      }
      case 'headers':
      case 'withoutHeaders':
      case 'queryParams':
        return condition === null || typeof condition !== 'object' || Object.keys(condition).length === 0;
      case 'port':
      case 'gateways':
      case 'sourceLabels':
      case 'sourceNamespace':
        return true;
      default:
        return NEUTRAL_MATCH_FIELDS.has(field);
    }
  });
}

/**
 * Whether pilot makes a route of `match` for `gateway` (`namespace/name`) on `port` (pilot's
 * `TranslateRoute` and `sourceMatchHTTP`): not when the match names another port (with the port
 * unknown, it is kept), nor when it names gateways (resolved in `namespace`, the
 * VirtualService's) and not this one.
 */
export function matchKeptOn(match: HttpMatchJson | undefined, port: number | undefined, gateway: string, namespace: string): boolean {
  if (match === null || typeof match !== 'object') {
    return true;
  }
  // Port 0 is protobuf's unset.
  if (port !== undefined && match.port !== undefined && Number(match.port) !== 0 && Number(match.port) !== port) {
    return false;
  }
  return !Array.isArray(match.gateways) || match.gateways.length === 0 || match.gateways.some((g) => resolveGatewayName(String(g), namespace) === gateway);
}

/**
 * Each route's share of a rule's requests, in percent, as Istio computes it: a single route takes
 * everything whatever its weight; otherwise each weight (0 when absent) over their total.
 */
export function routeShares(routes: readonly ({ readonly weight?: unknown } | undefined)[]): number[] {
  if (routes.length === 1) {
    return [100];
  }
  const weights = routes.map((r) => (typeof r?.weight === 'number' ? r.weight : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (total === 0 ? 0 : (w * 100) / total));
}

/** A canonical text of a match's conditions (its `name` left out), to compare matches. */
export function matchKey(match: object | undefined): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return value.map(canonical);
    }
    if (value !== null && typeof value === 'object') {
      const fields = value as Record<string, unknown>;
      return Object.fromEntries(Object.keys(fields).sort().filter((k) => k !== 'name').map((k) => [k, canonical(fields[k])]));
    }
    return value;
  };
  return JSON.stringify(canonical(match ?? {}));
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
 * match tests something the description does not carry (source labels, ports, ...). `namespace`
 * is the VirtualService's, in which the match's gateway names are resolved.
 */
export function requestMatches(match: HttpMatchJson | undefined, request: RequestDescription, namespace?: string): boolean | undefined {
  const { uri, query } = splitPath(request.path);
  return matchAdmits(match, {
    uri, query, headers: request.headers, method: request.method, authority: request.authority ?? request.host, gateway: request.gateway, path: request.path,
    ...(request.port !== undefined ? { port: request.port } : {}),
    ...(request.scheme !== undefined ? { scheme: request.scheme } : {}),
  }, namespace);
}

/**
 * Whether every value that satisfies the `StringMatch` `narrow` also satisfies `wide`; `false`
 * when that cannot be shown. An empty `wide` only asks for presence. Ignoring case applies to
 * `exact` and `prefix` conditions only, never to a `regex` (see `stringMatches`).
 */
export function stringCovers(
  wide: StringMatchJson | undefined, narrow: StringMatchJson | undefined, wideIgnoreCase = false, narrowIgnoreCase = false,
): boolean {
  if (wide === null || typeof wide !== 'object' || Object.keys(wide).length === 0) {
    return true;
  }
  if (narrow === null || typeof narrow !== 'object') {
    return false;
  }
  // Envoy ignores case_sensitive for a regex (safe_regex): only exact and prefix conditions fold case.
  wideIgnoreCase = wideIgnoreCase && typeof wide.regex !== 'string';
  narrowIgnoreCase = narrowIgnoreCase && typeof narrow.regex !== 'string';
  if (narrowIgnoreCase && !wideIgnoreCase) {
    return false; // a case-insensitive narrow condition admits values a case-sensitive one does not
  }
  const fold = (v: unknown) => (typeof v === 'string' && wideIgnoreCase ? v.toLowerCase() : v);
  const exact = fold(narrow.exact);
  const prefix = fold(narrow.prefix);
  if (typeof wide.exact === 'string') {
    return exact === fold(wide.exact);
  }
  if (typeof wide.prefix === 'string') {
    const start = fold(wide.prefix) as string;
    return (typeof exact === 'string' && exact.startsWith(start)) || (typeof prefix === 'string' && prefix.startsWith(start));
  }
  if (typeof wide.regex === 'string') {
    if (typeof narrow.regex === 'string') {
      return narrow.regex === wide.regex;
    }
    return typeof narrow.exact === 'string' && stringMatches(wide, narrow.exact, wideIgnoreCase) === true;
  }
  return false;
}

/** Whether a `StringMatch` asks only that the value be present (an empty condition). */
function isPresence(condition: StringMatchJson | undefined): boolean {
  return condition === null || typeof condition !== 'object' || Object.keys(condition).length === 0;
}

/** A field's value as a record of named values (`headers`, `sourceLabels`, ...), whatever was written. */
type Named<T> = Readonly<Record<string, T>> | undefined;

function mapCovers(wide: unknown, narrow: unknown, covers: (w: StringMatchJson, n: StringMatchJson) => boolean): boolean {
  const narrower = narrow as Named<StringMatchJson>;
  return Object.entries((wide ?? {}) as Record<string, StringMatchJson>)
    .every(([key, condition]) => narrower?.[key] !== undefined && covers(condition, narrower[key]));
}

function labelsCover(wide: unknown, narrow: unknown): boolean {
  return Object.entries((wide ?? {}) as Record<string, unknown>).every(([key, value]) => (narrow as Named<unknown>)?.[key] === value);
}

function listCovers(wide: unknown, narrow: unknown, covers: (w: unknown, n: unknown) => boolean = (w, n) => w === n): boolean {
  return Array.isArray(wide) && Array.isArray(narrow) && narrow.every((n) => wide.some((w) => covers(w, n)));
}

/**
 * Whether the `HTTPMatchRequest` `earlier` admits every request that `later` admits, so that
 * `later`, tried after it, never applies: same or narrower conditions on every field `earlier`
 * tests (`prefix: /` takes `prefix: /api` and `exact: /api`; a match with one more header than
 * an earlier one is taken by it). `false` when that cannot be shown (fields not understood).
 */
export function matchCovers(earlier: HttpMatchJson | undefined, later: HttpMatchJson | undefined): boolean {
  // A match that names gateways leaves its source conditions unused (pilot's sourceMatchHTTP).
  earlier = effectiveMatch(earlier);
  later = effectiveMatch(later);
  return Object.entries(earlier ?? {}).every(([field, wide]) => {
    if (NEUTRAL_MATCH_FIELDS.has(field)) {
      return true;
    }
    const narrow = later?.[field];
    switch (field) {
      case 'uri':
        return narrow !== undefined && stringCovers(wide as StringMatchJson, narrow as StringMatchJson, earlier?.ignoreUriCase === true, later?.ignoreUriCase === true);
      case 'scheme':
      case 'method':
      case 'authority':
        return narrow !== undefined && stringCovers(wide as StringMatchJson, narrow as StringMatchJson);
      case 'headers':
      case 'queryParams':
        return mapCovers(wide, narrow, (w, n) => stringCovers(w, n));
      case 'withoutHeaders':
        // Excluding what the earlier match excludes, or more; a missing header is "" to a condition
        // on a value but passes a presence condition (pilot's treat_missing_header_as_empty), so a
        // later presence condition takes a missing header that an earlier condition taking "" refuses.
        return mapCovers(wide, narrow, (w, n) => stringCovers(n, w) && !(isPresence(n) && !isPresence(w) && stringMatches(w, '') !== false));
      case 'port':
      case 'sourceNamespace':
        return narrow === wide;
      case 'sourceLabels':
        return labelsCover(wide, narrow);
      case 'gateways':
        return listCovers(wide, narrow);
      default:
        return false;
    }
  });
}

/** As `matchCovers`, for the `L4MatchAttributes` and `TLSMatchAttributes` of TCP and TLS rules. */
export function l4MatchCovers(earlier: L4MatchJson | undefined, later: L4MatchJson | undefined): boolean {
  return Object.entries(earlier ?? {}).every(([field, wide]) => {
    const narrow = later?.[field];
    switch (field) {
      case 'port':
      case 'sourceNamespace':
      case 'sourceSubnet':
        return narrow === wide;
      case 'sourceLabels':
        return labelsCover(wide, narrow);
      case 'gateways':
      case 'destinationSubnets':
        return listCovers(wide, narrow);
      case 'sniHosts':
        return listCovers(wide, narrow, (w, n) => hostServes(w as string, n as string));
      default:
        return false;
    }
  });
}
