import { RE2JS } from '@bufbuild/re2';
import { regexProblem } from '../mesh/istio-validation';
import { describeMatch, describeStringMatch, HttpMatchJson, matchAdmits, StringMatchJson, stringMatches } from './match-json';
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

  private constructor(
    /** How the value is compared. */
    public readonly kind: StringMatchKind,
    /** The string (or pattern) compared with; empty for `present()`. */
    public readonly value: string,
  ) {}

  /** Whether `candidate` satisfies this condition (`undefined`: absent). */
  public test(candidate: string | undefined): boolean {
    return stringMatches(this.toJson(), candidate) === true;
  }

  /** The Istio `StringMatch` object. */
  public toJson(): Record<string, string> {
    return this.kind === StringMatchKind.PRESENT ? {} : { [this.kind]: this.value };
  }

  /** `exactly "canary-test"`. */
  public toString(): string {
    return describeStringMatch(this.toJson());
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
  /** Header values that meet a header's condition, for the example, where the condition is a regex (a cookie's). */
  readonly samples: ReadonlyMap<string, string>;
}

const NONE: Conditions = { headers: new Map(), withoutHeaders: new Map(), queryParams: new Map(), samples: new Map() };

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
    if ((condition.kind === StringMatchKind.EXACT || condition.kind === StringMatchKind.PREFIX) && !condition.value.startsWith('/')) {
      // A request's path always starts with "/": such a match would never take a request.
      throw new Error(`uri must start with "/" for an exact or prefix match (every request path does), got ${show(condition.value)}`);
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
    const match = this.andHeader('cookie', StringMatch.regex(cookieRegex(name, value)));
    return new RequestMatch({ ...match.conditions, samples: new Map([...match.conditions.samples, ['cookie', `${name}=${value}`]]) });
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
      const value = this.conditions.samples.get(name) ?? sample(m);
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
    const query = new Map(Object.entries(request.query ?? {}));
    return matchAdmits(this.json(), { uri: request.path ?? '/', query, headers: request.headers ?? {} }) === true;
  }

  /** The Istio `HTTPMatchRequest` object. */
  public toJson(): Record<string, unknown> {
    return { ...this.json() };
  }

  private json(): HttpMatchJson {
    const map = (m: ReadonlyMap<string, StringMatch>): Record<string, StringMatchJson> => Object.fromEntries([...m].map(([k, c]) => [k, c.toJson()]));
    return {
      ...(this.conditions.uri !== undefined ? { uri: this.conditions.uri.toJson() } : {}),
      ...(this.conditions.headers.size > 0 ? { headers: map(this.conditions.headers) } : {}),
      ...(this.conditions.withoutHeaders.size > 0 ? { withoutHeaders: map(this.conditions.withoutHeaders) } : {}),
      ...(this.conditions.queryParams.size > 0 ? { queryParams: map(this.conditions.queryParams) } : {}),
    };
  }

  /** `header qa exactly "canary-test"`. */
  public toString(): string {
    return describeMatch(this.json());
  }
}

/** The regex that finds `name=value` among the cookies of a `cookie` header. */
export function cookieRegex(name: string, value: string): string {
  return `^(.*?;\\s*)?(${RE2JS.quote(`${name}=${value}`)})(;.*)?$`;
}
