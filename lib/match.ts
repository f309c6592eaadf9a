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
}

/**
 * A condition on one string of a request (a header value, for now).
 */
export class StringMatch {
  /** The value must equal `value`, case-sensitively. */
  public static exact(value: string): StringMatch {
    return new StringMatch(StringMatchKind.EXACT, value);
  }

  /** The value must start with `value` (which must not be empty: an empty prefix matches anything, use a presence match instead). */
  public static prefix(value: string): StringMatch {
    if (typeof value !== 'string' || value.length === 0) {
      throw new Error(`prefix must be a non-empty string, got ${show(value)}`);
    }
    return new StringMatch(StringMatchKind.PREFIX, value);
  }

  private constructor(
    /** How the value is compared. */
    public readonly kind: StringMatchKind,
    /** The string compared with. */
    public readonly value: string,
  ) {
    if (typeof value !== 'string') {
      throw new Error(`${kind} match value must be a string, got ${show(value)}`);
    }
  }

  /** Whether `candidate` satisfies this condition. */
  public test(candidate: string | undefined): boolean {
    if (candidate === undefined) {
      return false;
    }
    switch (this.kind) {
      case StringMatchKind.EXACT:
        return candidate === this.value;
      case StringMatchKind.PREFIX:
        return candidate.startsWith(this.value);
    }
  }

  /** The Istio `StringMatch` object. */
  public toJson(): Record<string, string> {
    return { [this.kind]: this.value };
  }

  /** `exactly "canary-test"`. */
  public toString(): string {
    return this.kind === StringMatchKind.EXACT ? `exactly ${show(this.value)}` : `starting with ${show(this.value)}`;
  }
}

/**
 * Conditions a request must all meet to match (one Istio `HTTPMatchRequest`).
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
   * @param name a lower-case header name (Istio rejects upper case)
   */
  public static header(name: string, match: StringMatch | string): RequestMatch {
    return new RequestMatch(new Map()).andHeader(name, match);
  }

  private constructor(private readonly headers: ReadonlyMap<string, StringMatch>) {}

  /** This match and, in addition, header `name` meeting `match`. */
  public andHeader(name: string, match: StringMatch | string): RequestMatch {
    checkHeaderName('header name', name);
    if (this.headers.has(name)) {
      throw new Error(`header name must appear once in a match, got ${show(name)} twice`);
    }
    const condition = typeof match === 'string' ? StringMatch.exact(match) : match;
    return new RequestMatch(new Map([...this.headers, [name, condition]]));
  }

  /** The header conditions, by header name (a copy). */
  public get headerConditions(): Map<string, StringMatch> {
    return new Map(this.headers);
  }

  /** Whether a request with these (lower-case) headers matches. */
  public matches(request: { readonly headers?: Readonly<Record<string, string>> }): boolean {
    return [...this.headers].every(([name, condition]) => condition.test(request.headers?.[name]));
  }

  /** The Istio `HTTPMatchRequest` object. */
  public toJson(): { headers: Record<string, Record<string, string>> } {
    return { headers: Object.fromEntries([...this.headers].map(([name, condition]) => [name, condition.toJson()])) };
  }

  /** `header qa exactly "canary-test"`. */
  public toString(): string {
    return [...this.headers].map(([name, condition]) => `header ${name} ${condition}`).join(' and ');
  }
}
