import { describe, expect, test } from 'vitest';
import { RequestMatch, StringMatch } from '../../lib';

describe('StringMatch', () => {
  test('an exact match renders as Istio exact and compares whole values', () => {
    // GIVEN
    const match = StringMatch.exact('canary-test');
    // THEN
    expect(match.toJson()).toEqual({ exact: 'canary-test' });
    expect(match.test('canary-test')).toBe(true);
    expect(match.test('canary-test-2')).toBe(false);
    expect(match.test(undefined)).toBe(false);
    expect(match.toString()).toBe('exactly "canary-test"');
  });

  test('a prefix match renders as Istio prefix and compares the start', () => {
    const match = StringMatch.prefix('canary');
    expect(match.toJson()).toEqual({ prefix: 'canary' });
    expect(match.test('canary-test')).toBe(true);
    expect(match.test('not-canary')).toBe(false);
  });

  test('a regex is RE2, matches whole values and renders as Istio regex', () => {
    const match = StringMatch.regex('v[0-9]+');
    expect(match.toJson()).toEqual({ regex: 'v[0-9]+' });
    expect(match.test('v12')).toBe(true);
    expect(match.test('xv12')).toBe(false);
    expect(match.toString()).toBe('matching /v[0-9]+/');
  });

  test('fails if a regex is not valid RE2, such as a lookahead', () => {
    expect(() => StringMatch.regex('(?=canary)')).toThrow(/^regex must be valid RE2 syntax: .*, got "\(\?=canary\)"$/);
    expect(() => StringMatch.regex('(')).toThrow(/^regex must be valid RE2 syntax: .*, got "\("$/);
  });

  test('fails if a regex is empty or longer than Istio\'s 1,024 bytes, which its webhook rejects', () => {
    expect(() => StringMatch.regex('')).toThrow('regex must not be empty (Istio rejects an empty regex; use present() to match any value), got ""');
    expect(StringMatch.regex('a'.repeat(1024)).value).toHaveLength(1024);
    expect(() => StringMatch.regex('a'.repeat(1025)))
      .toThrow(`regex must be at most 1024 bytes long (Istio's limit); it has 1025, got a pattern starting "${'a'.repeat(40)}"`);
  });

  test('present() renders as an empty StringMatch and needs only presence', () => {
    expect(StringMatch.present().toJson()).toEqual({});
    expect(StringMatch.present().test('')).toBe(true);
    expect(StringMatch.present().test(undefined)).toBe(false);
  });

  test('fails if a prefix is empty', () => {
    expect(() => StringMatch.prefix('')).toThrow('prefix must be a non-empty string, got ""');
  });
});

describe('RequestMatch', () => {
  test('a header match renders as an Istio HTTPMatchRequest, a plain string meaning exact', () => {
    // WHEN
    const match = RequestMatch.header('qa', 'canary-test');
    // THEN
    expect(match.toJson()).toEqual({ headers: { qa: { exact: 'canary-test' } } });
    expect(match.toString()).toBe('header qa exactly "canary-test"');
  });

  test('andHeader requires every header and leaves the original unchanged', () => {
    // GIVEN
    const qa = RequestMatch.header('qa', 'canary-test');
    // WHEN
    const both = qa.andHeader('x-team', StringMatch.prefix('web'));
    // THEN
    expect(both.toJson()).toEqual({ headers: { 'qa': { exact: 'canary-test' }, 'x-team': { prefix: 'web' } } });
    expect(qa.toJson()).toEqual({ headers: { qa: { exact: 'canary-test' } } });
    expect(both.matches({ headers: { 'qa': 'canary-test', 'x-team': 'website' } })).toBe(true);
    expect(both.matches({ headers: { qa: 'canary-test' } })).toBe(false);
    expect(qa.matches({})).toBe(false);
  });

  test('headerConditions returns a copy', () => {
    const match = RequestMatch.header('qa', 'canary-test');
    match.headerConditions.clear();
    expect(match.headerConditions.size).toBe(1);
  });

  test('fails if a header name has upper case, naming the lower-case form', () => {
    expect(() => RequestMatch.header('QA', 'canary-test')).toThrow(
      'header name must be a lower-case HTTP header name, got "QA" (Istio only matches lower-case header names: use "qa")');
  });

  test('fails if a header name is not a header token', () => {
    expect(() => RequestMatch.header('qa team', 'x')).toThrow('header name must be a lower-case HTTP header name, got "qa team"');
    expect(() => RequestMatch.header('', 'x')).toThrow('header name must be a lower-case HTTP header name, got ""');
  });

  test('uri, query parameters and withoutHeaders render as Istio fields, all required together', () => {
    // WHEN
    const match = RequestMatch.uri(StringMatch.prefix('/shop')).andQueryParam('beta', 'on').andWithoutHeader('x-no-canary').andHeader('qa', StringMatch.regex('canary-.*'));
    // THEN
    expect(match.toJson()).toEqual({
      uri: { prefix: '/shop' }, headers: { qa: { regex: 'canary-.*' } }, withoutHeaders: { 'x-no-canary': {} }, queryParams: { beta: { exact: 'on' } },
    });
    expect(match.matches({ path: '/shop/cart', query: { beta: 'on' }, headers: { qa: 'canary-1' } })).toBe(true);
    expect(match.matches({ path: '/shop/cart', query: { beta: 'on' }, headers: { 'qa': 'canary-1', 'x-no-canary': '1' } })).toBe(false);
    expect(match.matches({ path: '/about', query: { beta: 'on' }, headers: { qa: 'canary-1' } })).toBe(false);
    expect(match.toString()).toBe('uri starting with "/shop" and header qa matching /canary-.*/ and not header x-no-canary present and query parameter beta exactly "on"');
    expect(RequestMatch.uri('/exact').toJson()).toEqual({ uri: { exact: '/exact' } });
    expect(RequestMatch.withoutHeader('x-debug', 'on').toJson()).toEqual({ withoutHeaders: { 'x-debug': { exact: 'on' } } });
  });

  test('a cookie match is a regex on the cookie header that finds the pair among other cookies', () => {
    const match = RequestMatch.cookie('canary', 'v2.1');
    expect(match.toJson()).toEqual({ headers: { cookie: { regex: '^(.*?;\\s*)?(canary=v2\\.1)(;.*)?$' } } });
    expect(match.matches({ headers: { cookie: 'canary=v2.1' } })).toBe(true);
    expect(match.matches({ headers: { cookie: 'session=abc; canary=v2.1; theme=dark' } })).toBe(true);
    expect(match.matches({ headers: { cookie: 'canary=v2x1' } })).toBe(false);
    expect(match.matches({ headers: { cookie: 'notcanary=v2.1' } })).toBe(false);
    expect(match.example).toEqual({ headers: { cookie: 'canary=v2.1' }, path: '/' });
  });

  test('fails on a cookie name or value that cannot be a cookie', () => {
    expect(() => RequestMatch.cookie('my cookie', 'x')).toThrow('cookie name must be a cookie token');
    expect(() => RequestMatch.cookie('canary', 'a;b')).toThrow('cookie value must be a string without ";", ",", spaces, quotes or backslashes, got "a;b"');
  });

  test('a query parameter may be matched by prefix, as Istio translates it to an Envoy string match', () => {
    // GIVEN
    const match = RequestMatch.queryParam('beta', StringMatch.prefix('o'));
    // THEN
    expect(match.toJson()).toEqual({ queryParams: { beta: { prefix: 'o' } } });
    expect(match.matches({ query: { beta: 'on' } })).toBe(true);
    expect(match.matches({ query: { beta: 'off' } })).toBe(true);
    expect(match.matches({ query: { beta: 'yes' } })).toBe(false);
  });

  test('fails on a cookie whose regex would pass Istio\'s 1,024-byte limit', () => {
    expect(() => RequestMatch.cookie('c'.repeat(1010), 'v2')).toThrow(/^regex must be at most 1024 bytes long/);
  });

  test('fails on a uri given twice or as a presence match, and on a match that is not a StringMatch', () => {
    expect(() => RequestMatch.uri('/a').andUri('/b')).toThrow('uri must appear once in a match; use several matches for alternatives');
    expect(() => RequestMatch.uri(StringMatch.present())).toThrow('uri must be an exact, prefix or regex match');
    expect(() => RequestMatch.header('qa', { exact: 'x' } as never)).toThrow('match must be a StringMatch (e.g. StringMatch.prefix(\'/api\')) or a string, got {"exact":"x"}');
  });

  test('fails if the same header appears twice in one match', () => {
    expect(() => RequestMatch.header('qa', 'a').andHeader('qa', 'b')).toThrow('header name must appear once in a match, got "qa" twice');
  });
});
