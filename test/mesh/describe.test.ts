import { describe, expect, test } from 'vitest';
import { describeMatch, describeRule } from '../../lib/mesh/describe';

describe('describeMatch', () => {
  test('says each condition in words, joined by and', () => {
    expect(describeMatch({ headers: { qa: { exact: 'canary-test' }, 'x-team': { prefix: 'web' } }, uri: { regex: '/v[0-9]+/.*' } }))
      .toBe('header qa exactly "canary-test" and header x-team starting with "web" and uri matching //v[0-9]+/.*/');
    expect(describeMatch({ withoutHeaders: { 'x-skip': {} }, queryParams: { beta: { exact: 'on' } } }))
      .toBe('not header x-skip present and query parameter beta exactly "on"');
    expect(describeMatch({ name: 'all' })).toBe('every request');
    expect(describeMatch({ port: 8080 })).toBe('port 8080');
  });

  test('describeRule joins alternatives with or', () => {
    expect(describeRule({ match: [{ uri: { prefix: '/a' } }, { uri: { prefix: '/b' } }] })).toBe('uri starting with "/a", or uri starting with "/b"');
    expect(describeRule({ route: [] })).toBe('every request');
  });
});
