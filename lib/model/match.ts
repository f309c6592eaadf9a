import { RE2JS } from '@bufbuild/re2';
import { regexProblem } from '../mesh/istio-validation';
import { checkHeaderName, show } from './validate';

/**
 * How a string in a request is compared. Values are the field names of Istio's `StringMatch`.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#StringMatch
 */
export enum StringMatchKind {
  /** The whole value equals the given string. */
  EXACT = 'exact',
  /** The value starts with the given string. */
  PREFIX = 'prefix',
  /** The whole value matches an RE2 regular expression. */
  REGEX = 'regex',
  /** The value is there, whatever it is (an empty Istio `StringMatch`). */
  PRESENT = 'present',
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A condition on one string of a request: a header, a query parameter or the path.
 */
export class StringMatch {
  /** The value must equal `value`, case-sensitively. */
  public static exact(value: string): StringMatch {
    return new StringMatch(StringMatchKind.EXACT, StringMatch.text('exact', value));
  }

  /** The value must start with `value` (not empty: an empty prefix matches anything, use `present()`). */
  public static prefix(value: string): StringMatch {
    if (StringMatch.text('prefix', value).length === 0) {
      throw new Error('prefix must be a non-empty string, got ""');
    }
    return new StringMatch(StringMatchKind.PREFIX, value);
  }

  /**
   * The whole value must match `pattern`, in RE2 syntax (Envoy's regex engine: no lookaround, no
   * backreferences), not empty and at most 1,024 bytes long, as Istio's validation webhook requires.
   *
   * @see https://github.com/google/re2/wiki/Syntax
   */
  public static regex(pattern: string): StringMatch {
    StringMatch.text('regex', pattern);
    const problem = regexProblem(pattern);
    if (problem !== undefined) {
      const shown = pattern.length > 60 ? `a pattern starting "${pattern.slice(0, 40)}"` : show(pattern);
      throw new Error(`regex ${problem}, got ${shown}`);
    }
    return new StringMatch(StringMatchKind.REGEX, pattern);
  }

  /** The value must be there, whatever it is. */
  public static present(): StringMatch {
    return new StringMatch(StringMatchKind.PRESENT, '');
  }

  private static text(kind: string, value: string): string {
    if (typeof value !== 'string') {
      throw new Error(`${kind} must be a string, got ${show(value)}`);
    }
    return value;
  }

  private compiled?: RE2JS;

  private constructor(
    /** How the value is compared. */
    public readonly kind: StringMatchKind,
    /** The string (or pattern) compared with; empty for `present()`. */
    public readonly value: string,
  ) {}

  /** Whether `candidate` satisfies this condition (`undefined`: absent). */
  public test(candidate: string | undefined): boolean {
    if (candidate === undefined) {
      return false;
    }
    switch (this.kind) {
      case StringMatchKind.EXACT:
        return candidate === this.value;
      case StringMatchKind.PREFIX:
        return candidate.startsWith(this.value);
      case StringMatchKind.REGEX:
        this.compiled ??= RE2JS.compile(this.value);
        return this.compiled.matches(candidate);
      case StringMatchKind.PRESENT:
        return true;
    }
  }

  /** The Istio `StringMatch` object. */
  public toJson(): Record<string, string> {
    return this.kind === StringMatchKind.PRESENT ? {} : { [this.kind]: this.value };
  }

  /** `exactly "canary-test"`. */
  public toString(): string {
    switch (this.kind) {
      case StringMatchKind.EXACT:
        return `exactly ${show(this.value)}`;
      case StringMatchKind.PREFIX:
        return `starting with ${show(this.value)}`;
      case StringMatchKind.REGEX:
        return `matching /${this.value}/`;
      case StringMatchKind.PRESENT:
        return 'present';
    }
  }
}

/** A request as `RequestMatch.matches` sees it. */
export interface MatchableRequest {
  /**
   * Headers, lower-case names.
   * @default - none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The path, without the query string.
   * @default "/"
   */
  readonly path?: string;
  /**
   * Query parameters.
   * @default - none
   */
  readonly query?: Readonly<Record<string, string>>;
}

interface Conditions {
  readonly headers: ReadonlyMap<string, StringMatch>;
  readonly withoutHeaders: ReadonlyMap<string, StringMatch>;
  readonly queryParams: ReadonlyMap<string, StringMatch>;
  readonly uri?: StringMatch;
}

const NONE: Conditions = { headers: new Map(), withoutHeaders: new Map(), queryParams: new Map() };

/**
 * Conditions a request must all meet to match (one Istio `HTTPMatchRequest`); a list of matches
 * is met when any one of them is.
 *
 * Create one with a static method, then narrow it with `and...` methods; each returns a new
 * match, so a match can be shared between rules.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
export class RequestMatch {
  /**
   * Requests whose header `name` meets `match` (a plain string means an exact match).
   *
   * @param name - a lower-case header name (Istio's API requires lower case)
   */
  public static header(name: string, match: StringMatch | string): RequestMatch {
    return new RequestMatch(NONE).andHeader(name, match);
  }

  /** Requests without a header `name` meeting `match` (by default: without the header at all). */
  public static withoutHeader(name: string, match?: StringMatch | string): RequestMatch {
    return new RequestMatch(NONE).andWithoutHeader(name, match);
  }

  /** Requests whose path meets `match` (a plain string means an exact path). */
  public static uri(match: StringMatch | string): RequestMatch {
    return new RequestMatch(NONE).andUri(match);
  }

  /** Requests whose query parameter `name` meets `match` (a plain string means an exact match). */
  public static queryParam(name: string, match: StringMatch | string): RequestMatch {
    return new RequestMatch(NONE).andQueryParam(name, match);
  }

  /**
   * Requests carrying cookie `name` with value `value`. Istio has no cookie matcher: this is a
   * regex on the `cookie` header that finds the pair wherever it stands among the cookies.
   */
  public static cookie(name: string, value: string): RequestMatch {
    return new RequestMatch(NONE).andCookie(name, value);
  }

  private constructor(private readonly conditions: Conditions) {}

  /** This match and, in addition, header `name` meeting `match`. */
  public andHeader(name: string, match: StringMatch | string): RequestMatch {
    checkHeaderName('header name', name);
    if (this.conditions.headers.has(name)) {
      throw new Error(`header name must appear once in a match, got ${show(name)} twice`);
    }
    return new RequestMatch({ ...this.conditions, headers: new Map([...this.conditions.headers, [name, RequestMatch.condition(match)]]) });
  }

  /** This match and, in addition, no header `name` meeting `match` (by default: no such header). */
  public andWithoutHeader(name: string, match?: StringMatch | string): RequestMatch {
    checkHeaderName('header name', name);
    if (this.conditions.withoutHeaders.has(name)) {
      throw new Error(`header name must appear once in withoutHeaders, got ${show(name)} twice`);
    }
    const condition = match === undefined ? StringMatch.present() : RequestMatch.condition(match);
    return new RequestMatch({ ...this.conditions, withoutHeaders: new Map([...this.conditions.withoutHeaders, [name, condition]]) });
  }

  /** This match and, in addition, the path meeting `match`. */
  public andUri(match: StringMatch | string): RequestMatch {
    if (this.conditions.uri !== undefined) {
      throw new Error('uri must appear once in a match; use several matches for alternatives');
    }
    const condition = RequestMatch.condition(match);
    if (condition.kind === StringMatchKind.PRESENT) {
      throw new Error('uri must be an exact, prefix or regex match: every request has a path');
    }
    return new RequestMatch({ ...this.conditions, uri: condition });
  }

  /** This match and, in addition, query parameter `name` meeting `match`. */
  public andQueryParam(name: string, match: StringMatch | string): RequestMatch {
    if (typeof name !== 'string' || name.length === 0) {
      throw new Error(`query parameter name must be a non-empty string, got ${show(name)}`);
    }
    const condition = RequestMatch.condition(match);
    if (this.conditions.queryParams.has(name)) {
      throw new Error(`query parameter name must appear once in a match, got ${show(name)} twice`);
    }
    return new RequestMatch({ ...this.conditions, queryParams: new Map([...this.conditions.queryParams, [name, condition]]) });
  }

  /** This match and, in addition, cookie `name` with value `value`. */
  public andCookie(name: string, value: string): RequestMatch {
    if (typeof name !== 'string' || !COOKIE_NAME.test(name)) {
      throw new Error(`cookie name must be a cookie token (letters, digits and !#$%&'*+-.^_\`|~), got ${show(name)}`);
    }
    if (typeof value !== 'string' || /[;,\s"\\]/.test(value)) {
      throw new Error(`cookie value must be a string without ";", ",", spaces, quotes or backslashes, got ${show(value)}`);
    }
    return this.andHeader('cookie', StringMatch.regex(cookieRegex(name, value)));
  }

  private static condition(match: StringMatch | string): StringMatch {
    if (typeof match === 'string') {
      return StringMatch.exact(match);
    }
    if (!(match instanceof StringMatch)) {
      throw new Error(`match must be a StringMatch (e.g. StringMatch.prefix('/api')) or a string, got ${show(match)}`);
    }
    return match;
  }

  /** The header conditions, by header name (a copy). */
  public get headerConditions(): Map<string, StringMatch> {
    return new Map(this.conditions.headers);
  }

  /** The conditions on headers that must not be met, by header name (a copy). */
  public get withoutHeaderConditions(): Map<string, StringMatch> {
    return new Map(this.conditions.withoutHeaders);
  }

  /** The query parameter conditions, by parameter name (a copy). */
  public get queryParamConditions(): Map<string, StringMatch> {
    return new Map(this.conditions.queryParams);
  }

  /** The condition on the path, if any. */
  public get uriCondition(): StringMatch | undefined {
    return this.conditions.uri;
  }

  /** A request that meets this match, for explaining it: headers with their values, the path and query. */
  public get example(): { headers: Record<string, string>; path: string } {
    const sample = (m: StringMatch) => (m.kind === StringMatchKind.REGEX ? undefined : m.value || 'x');
    const headers: Record<string, string> = {};
    for (const [name, m] of this.conditions.headers) {
      const value = name === 'cookie' && m.kind === StringMatchKind.REGEX ? cookieFromRegex(m.value) : sample(m);
      if (value !== undefined) {
        headers[name] = value;
      }
    }
    const query = [...this.conditions.queryParams].filter(([, m]) => m.kind === StringMatchKind.EXACT).map(([k, m]) => `${k}=${m.value}`);
    const uri = this.conditions.uri !== undefined && this.conditions.uri.kind !== StringMatchKind.REGEX ? this.conditions.uri.value : '/';
    return { headers, path: query.length > 0 ? `${uri}?${query.join('&')}` : uri };
  }

  /** Whether a request matches. */
  public matches(request: MatchableRequest): boolean {
    const headers = request.headers ?? {};
    return [...this.conditions.headers].every(([name, condition]) => condition.test(headers[name]))
      && [...this.conditions.withoutHeaders].every(([name, condition]) => !condition.test(headers[name]))
      && [...this.conditions.queryParams].every(([name, condition]) => condition.test(request.query?.[name]))
      && (this.conditions.uri === undefined || this.conditions.uri.test(request.path ?? '/'));
  }

  /** The Istio `HTTPMatchRequest` object. */
  public toJson(): Record<string, unknown> {
    const map = (m: ReadonlyMap<string, StringMatch>) => Object.fromEntries([...m].map(([k, c]) => [k, c.toJson()]));
    return {
      ...(this.conditions.uri !== undefined ? { uri: this.conditions.uri.toJson() } : {}),
      ...(this.conditions.headers.size > 0 ? { headers: map(this.conditions.headers) } : {}),
      ...(this.conditions.withoutHeaders.size > 0 ? { withoutHeaders: map(this.conditions.withoutHeaders) } : {}),
      ...(this.conditions.queryParams.size > 0 ? { queryParams: map(this.conditions.queryParams) } : {}),
    };
  }

  /** `header qa exactly "canary-test"`. */
  public toString(): string {
    return [
      ...(this.conditions.uri !== undefined ? [`uri ${this.conditions.uri}`] : []),
      ...[...this.conditions.headers].map(([name, c]) => `header ${name} ${c}`),
      ...[...this.conditions.withoutHeaders].map(([name, c]) => `not header ${name} ${c}`),
      ...[...this.conditions.queryParams].map(([name, c]) => `query parameter ${name} ${c}`),
    ].join(' and ');
  }
}

/** The regex that finds `name=value` among the cookies of a `cookie` header. */
export function cookieRegex(name: string, value: string): string {
  return `^(.*?;\\s*)?(${RE2JS.quote(`${name}=${value}`)})(;.*)?$`;
}

function cookieFromRegex(pattern: string): string | undefined {
  const m = /^\^\(\.\*\?;\\s\*\)\?\((.*)\)\(;\.\*\)\?\$$/.exec(pattern);
  return m ? m[1].replace(/\\Q|\\E/g, '').replace(/\\(.)/g, '$1') : undefined;
}
