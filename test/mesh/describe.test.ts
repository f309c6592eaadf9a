import { describe, expect, test } from 'vitest';
import { describeRule } from '../../lib/mesh/describe';

describe('describeRule', () => {
  test('describeRule joins alternatives with or', () => {
    expect(describeRule({ match: [{ uri: { prefix: '/a' } }, { uri: { prefix: '/b' } }] })).toBe('uri starting with "/a", or uri starting with "/b"');
    expect(describeRule({ route: [] })).toBe('every request');
  });
});
