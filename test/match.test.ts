import { describe, expect, test } from 'vitest';
import { RequestMatch, StringMatch } from '../lib';

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

  test('fails if the same header appears twice in one match', () => {
    expect(() => RequestMatch.header('qa', 'a').andHeader('qa', 'b')).toThrow('header name must appear once in a match, got "qa" twice');
  });
});
