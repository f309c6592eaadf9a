/**
 * What a rule does other than route: a redirect, a direct response, a rewrite, mirrored copies;
 * for a VirtualService's HTTP rule (`redirect`, `directResponse`, `rewrite`) and a Gateway API
 * HTTPRoute rule (`RequestRedirect`, `URLRewrite`, `RequestMirror` filters) alike.
 *
 * Istio turns the filters into a VirtualService rule (a redirect whose port is the request's when
 * the filter sets neither port nor scheme, the scheme's default when it sets a scheme) and, on the
 * proxy, answers a rule with a redirect before it looks at a direct response or the routes: the
 * backends and mirrors of a rule that redirects get nothing.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRedirect
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprequestredirectfilter
 */
import { HttpRedirectJson, HttpRewriteJson, PathModifierJson, RequestMirrorJson, RequestRedirectJson, RouteFilterJson, RouteMatchJson, UrlRewriteJson } from './json';

/** Whether a JSON value is an object (a redirect, a direct response, a filter's field) rather than null or a scalar. */
export function isObject<T>(value: T | null | undefined): value is T {
  return value !== null && typeof value === 'object';
}

/** A redirect: its status and where it sends the client. */
export interface ExplainedRedirect {
  /** The status of the answer: 301, 302, 303, 307 or 308. */
  readonly status: number;
  /**
   * The `Location` of the answer. For a request, the parts the rule leaves as they are hold the
   * request's; what the request described does not tell is written `<scheme>`, `<host>` or
   * `<port>`. In the diagram, which has no request, `<path>` stands for the request's path.
   */
  readonly location: string;
}

/** The scheme of a request, when the listener or server it comes to tells it. */
export type Scheme = 'http' | 'https';

/** What the location is made of; `undefined` where the request does not tell. */
interface LocationParts {
  readonly scheme: string | undefined;
  readonly host: string | undefined;
  /** A port to write, `undefined` for none, `null` for the request's, not known. */
  readonly port: number | null | undefined;
  /** The path and query. */
  readonly path: string;
}

/** `https` for HTTPS servers or listeners, `http` for HTTP ones, when all the protocols given agree. */
export function schemeOf(protocols: ReadonlyArray<string | undefined>): Scheme | undefined {
  const schemes = new Set(protocols.map((p) => {
    const upper = String(p).toUpperCase();
    return upper === 'HTTPS' ? 'https' : upper === 'HTTP' || upper === 'HTTP2' ? 'http' : undefined;
  }));
  const [only] = [...schemes];
  return schemes.size === 1 ? only : undefined;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };

/** A URL; the default port of its scheme is left out, as Istio does. */
function locationText(parts: LocationParts): string {
  const port = parts.port === null ? ':<port>'
    : parts.port === undefined || (parts.scheme !== undefined && DEFAULT_PORTS[parts.scheme] === parts.port) ? '' : `:${parts.port}`;
  return `${parts.scheme ?? '<scheme>'}://${parts.host ?? '<host>'}${port}${parts.path}`;
}

function splitQuery(path: string): { path: string; query: string } {
  const q = path.indexOf('?');
  return q < 0 ? { path, query: '' } : { path: path.slice(0, q), query: path.slice(q) };
}

/** Istio's fields are protobuf strings: empty means not set. */
function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

/** The request's host, unless it is the `*` that explain takes when none is given. */
function knownHost(host: string | undefined): string | undefined {
  return host === undefined || host === '*' || host === '' ? undefined : host;
}

/**
 * The path once the matched prefix is replaced, as the Gateway API's `ReplacePrefixMatch` does:
 * whole segments, a trailing `/` of the prefix or of the replacement ignored, `/` when nothing is left.
 */
export function replacePrefixMatch(path: string, prefix: string, replacement: string): string {
  const matched = prefix.replace(/\/+$/, '');
  const rest = path.startsWith(matched) ? path.slice(matched.length) : path;
  const result = `${replacement.replace(/\/+$/, '')}${rest}`;
  return result === '' ? '/' : result.startsWith('/') ? result : `/${result}`;
}

/** The request that a rule answers, as far as the location of a redirect needs it. */
export interface AnsweredRequest {
  /** Host asked for (`*` when unknown). */
  readonly host: string;
  /** Path with any query. */
  readonly path: string;
  /** Port the request came to, if known. */
  readonly port?: number;
  /** Scheme the request came with, if the listener or server tells. */
  readonly scheme?: Scheme;
}

/**
 * A VirtualService rule's `redirect` for a request (or, without a request, with the request's
 * parts left as placeholders): 301 by default; the path replaced whole by `uri`, whose query, if
 * any, replaces the request's; the port written only when `port` or `derivePort:
 * FROM_REQUEST_PORT` says so.
 */
export function istioRedirect(redirect: HttpRedirectJson, request?: AnsweredRequest): ExplainedRedirect {
  const scheme = nonEmpty(redirect.scheme) ?? request?.scheme;
  const asked = request === undefined ? { path: '<path>', query: '' } : splitQuery(request.path);
  let path = `${asked.path}${asked.query}`;
  const uri = nonEmpty(redirect.uri);
  if (uri !== undefined) {
    path = uri.includes('?') ? uri : `${uri}${asked.query}`;
  }
  const port = redirect.port !== undefined && redirect.port !== 0 ? redirect.port
    : redirect.derivePort === 'FROM_REQUEST_PORT' ? request?.port ?? null : undefined;
  return {
    status: redirect.redirectCode !== undefined && redirect.redirectCode !== 0 ? redirect.redirectCode : 301,
    location: locationText({ scheme, host: nonEmpty(redirect.authority) ?? knownHost(request?.host), port, path }),
  };
}

/** How a path modifier changes a path: `{ path }`, or `{ problem }` when it cannot apply to the match. */
function modifiedPath(modifier: PathModifierJson | undefined, path: string, match: RouteMatchJson | undefined): { path: string } | { problem: string } {
  if (modifier?.type === 'ReplaceFullPath' && modifier.replaceFullPath !== undefined) {
    return { path: modifier.replaceFullPath };
  }
  if (modifier?.type === 'ReplacePrefixMatch' && modifier.replacePrefixMatch !== undefined) {
    const type = match?.path?.type ?? 'PathPrefix';
    if (type !== 'PathPrefix') {
      return { problem: `ReplacePrefixMatch needs a PathPrefix match, and the match is ${type}: the route is not Accepted` };
    }
    const prefix = match?.path?.value ?? '/';
    return { path: path === '<path>' ? `<path, with prefix "${prefix}" replaced by "${modifier.replacePrefixMatch}">` : replacePrefixMatch(path, prefix, modifier.replacePrefixMatch) };
  }
  return { path };
}

/**
 * A Gateway API `RequestRedirect` filter for a request that `match` took (or, without a request,
 * with the request's parts as placeholders): 302 by default; without `port`, the scheme's default
 * port when the filter sets a scheme, else the port the request came to; the default port of the
 * scheme is not written.
 */
export function gatewayApiRedirect(filter: RequestRedirectJson, match: RouteMatchJson | undefined, request?: AnsweredRequest): ExplainedRedirect & { problem?: string } {
  const scheme = filter.scheme ?? request?.scheme;
  const asked = request === undefined ? { path: '<path>', query: '' } : splitQuery(request.path);
  const modified = modifiedPath(filter.path, asked.path, match);
  const port = filter.port ?? (filter.scheme !== undefined ? undefined : request?.port ?? null);
  return {
    status: filter.statusCode ?? 302,
    location: locationText({ scheme, host: filter.hostname ?? knownHost(request?.host), port, path: `${'path' in modified ? modified.path : '<path>'}${asked.query}` }),
    ...('problem' in modified ? { problem: modified.problem } : {}),
  };
}

/** What a `URLRewrite` filter changes in a request that `match` took: `host to "a", path to "/b"`; `undefined` when nothing. */
export function describeUrlRewrite(rewrite: UrlRewriteJson, match: RouteMatchJson | undefined, requestPath?: string): string | undefined {
  const parts: string[] = [];
  if (rewrite.hostname !== undefined) {
    parts.push(`host to "${rewrite.hostname}"`);
  }
  if (rewrite.path !== undefined && requestPath === undefined && rewrite.path.type === 'ReplacePrefixMatch') {
    parts.push(`path prefix "${match?.path?.value ?? '/'}" to "${rewrite.path.replacePrefixMatch}"`);
  } else if (rewrite.path !== undefined) {
    const asked = requestPath === undefined ? { path: '<path>', query: '' } : splitQuery(requestPath);
    const modified = modifiedPath(rewrite.path, asked.path, match);
    parts.push('path' in modified ? `path to "${modified.path}${asked.query}"` : `path (${modified.problem})`);
  }
  return parts.length === 0 ? undefined : parts.join(', ');
}

/** What a VirtualService rule's `rewrite` changes: `uri prefix to "/a", host to "b"`; `undefined` when nothing. */
export function describeIstioRewrite(rewrite: HttpRewriteJson): string | undefined {
  const parts: string[] = [];
  if (rewrite.uri !== undefined && rewrite.uri !== '') {
    parts.push(`the matched path prefix (or the whole path of an exact match) to "${rewrite.uri}"`);
  } else if (rewrite.uriRegexRewrite !== undefined) {
    parts.push(`the path, what matches /${rewrite.uriRegexRewrite.match ?? ''}/ to "${rewrite.uriRegexRewrite.rewrite ?? ''}"`);
  }
  if (rewrite.authority !== undefined && rewrite.authority !== '') {
    parts.push(`host to "${rewrite.authority}"`);
  }
  return parts.length === 0 ? undefined : parts.join(', ');
}

/** The share of requests a `RequestMirror` filter copies, in percent: `percent`, else `fraction` (over 100 by default), else all. */
export function mirrorPercent(mirror: RequestMirrorJson): number {
  if (mirror.fraction !== undefined) {
    const denominator = mirror.fraction.denominator ?? 100;
    return denominator > 0 ? Math.round(((100 * (mirror.fraction.numerator ?? 0)) / denominator) * 1e6) / 1e6 : 0;
  }
  return mirror.percent ?? 100;
}

/** The filters of a rule, those that are objects. */
export function filtersOf(rule: { readonly filters?: readonly RouteFilterJson[] }): RouteFilterJson[] {
  return (Array.isArray(rule.filters) ? rule.filters : []).filter((f): f is RouteFilterJson => f !== null && typeof f === 'object');
}
