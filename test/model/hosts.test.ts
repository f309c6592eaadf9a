import { describe, expect, test } from 'vitest';
import { hostServes } from '../../lib/model/hosts';

describe('hostServes', () => {
  test('"*" serves every host', () => {
    expect(hostServes('*', 'www.example.com')).toBe(true);
    expect(hostServes('*', '*')).toBe(true);
  });

  test('a plain name serves itself only', () => {
    expect(hostServes('www.example.com', 'www.example.com')).toBe(true);
    expect(hostServes('www.example.com', 'api.example.com')).toBe(false);
    expect(hostServes('www.example.com', '*')).toBe(false);
  });

  test('a wildcard serves names and narrower wildcards under it, not its bare domain', () => {
    expect(hostServes('*.example.com', 'www.example.com')).toBe(true);
    expect(hostServes('*.example.com', '*.a.example.com')).toBe(true);
    expect(hostServes('*.example.com', 'example.com')).toBe(false);
    expect(hostServes('*.example.com', 'www.example.org')).toBe(false);
  });
});
