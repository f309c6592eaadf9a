import { describe, expect, test } from 'vitest';
import {
  checkDnsLabel, checkDnsSubdomain, checkEnum, checkHeaderName, checkHost, checkInteger, checkLabelKey, checkLabels,
  checkLabelValue, checkPort, checkServiceName, checkUnique, show,
} from '../../lib/model/validate';

describe('name checks', () => {
  test('a DNS-1123 label takes lower-case letters, digits and inner dashes up to 63 characters', () => {
    expect(checkDnsLabel('name', 'web-v1')).toBe('web-v1');
    expect(checkDnsLabel('name', '1abc')).toBe('1abc');
    expect(checkDnsLabel('name', 'a'.repeat(63))).toHaveLength(63);
  });

  test.each(['Web', 'web_v1', '-web', 'web-', 'web.v1', '', 'a'.repeat(64)])('fails if a DNS-1123 label is %j', (value) => {
    expect(() => checkDnsLabel('subset', value)).toThrow(`subset must be a DNS-1123 label (at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit), got "${value}"`);
  });

  test('a Service name must start with a letter', () => {
    expect(checkServiceName('serviceName', 'website')).toBe('website');
    expect(() => checkServiceName('serviceName', '1website')).toThrow('serviceName must be a DNS-1035 label');
  });

  test('a DNS-1123 subdomain allows dots', () => {
    expect(checkDnsSubdomain('name', 'web.v1')).toBe('web.v1');
    expect(() => checkDnsSubdomain('name', 'web..v1')).toThrow('name must be a DNS-1123 subdomain');
    expect(() => checkDnsSubdomain('name', 'Web')).toThrow('got "Web"');
  });
});

describe('label checks', () => {
  test('label values allow upper case, dots and underscores, and the empty value', () => {
    expect(checkLabelValue('label', 'Website_version.1')).toBe('Website_version.1');
    expect(checkLabelValue('label', '')).toBe('');
    expect(() => checkLabelValue('label', 'version 1')).toThrow('label must be a label value');
    expect(() => checkLabelValue('label', '-v1')).toThrow('got "-v1"');
    expect(() => checkLabelValue('label', 'a'.repeat(64))).toThrow('label must be a label value');
  });

  test('label keys may have a DNS prefix', () => {
    expect(checkLabelKey('key', 'istio')).toBe('istio');
    expect(checkLabelKey('key', 'app.kubernetes.io/name')).toBe('app.kubernetes.io/name');
    expect(() => checkLabelKey('key', 'Bad_Prefix/name')).toThrow('key must be a label key');
    expect(() => checkLabelKey('key', 'a/')).toThrow('key must be a label key');
  });

  test('checkLabels checks keys and values and returns a copy', () => {
    const labels = { istio: 'ingressgateway' };
    const copy = checkLabels('selector', labels);
    expect(copy).toEqual(labels);
    expect(copy).not.toBe(labels);
    expect(() => checkLabels('selector', { istio: 'ingress gateway' })).toThrow('selector["istio"] must be a label value');
  });
});

describe('other checks', () => {
  test('header names must be lower case', () => {
    expect(checkHeaderName('header', 'x-request-id')).toBe('x-request-id');
    expect(() => checkHeaderName('header', 'X-Request-Id')).toThrow('use "x-request-id"');
    expect(() => checkHeaderName('header', 'a:b')).toThrow('header must be a lower-case HTTP header name, got "a:b"');
  });

  test('integers are whole and within range', () => {
    expect(checkInteger('replicas', 0, 0, Number.MAX_SAFE_INTEGER)).toBe(0);
    expect(() => checkInteger('replicas', -1, 0, Number.MAX_SAFE_INTEGER)).toThrow('replicas must be a whole number of at least 0, got -1');
    expect(() => checkInteger('replicas', 1.5, 0, Number.MAX_SAFE_INTEGER)).toThrow('got 1.5');
    expect(() => checkPort('port', 0)).toThrow('port must be a whole number between 1 and 65535, got 0');
    expect(() => checkPort('port', 65536)).toThrow('got 65536');
  });

  test('hosts are *, DNS names or *.-wildcards', () => {
    for (const host of ['*', 'website', 'www.example.com', '*.example.com']) {
      expect(checkHost('hosts[0]', host)).toBe(host);
    }
    for (const host of ['', 'WWW.example.com', 'www.*.com', '*example.com', 'a b']) {
      expect(() => checkHost('hosts[0]', host)).toThrow(`hosts[0] must be "*", a lower-case DNS name or "*." followed by one, got "${host}"`);
    }
  });

  test('checkUnique names the repeated value', () => {
    expect(() => checkUnique('hosts', ['a', 'b'])).not.toThrow();
    expect(() => checkUnique('hosts', ['a', 'b', 'a'])).toThrow('hosts must be unique, got "a" twice');
  });

  test('show quotes strings and prints other values as JSON', () => {
    expect(show('x')).toBe('"x"');
    expect(show(3)).toBe('3');
    expect(show(undefined)).toBe('undefined');
    expect(show({ a: 1 })).toBe('{"a":1}');
  });
});

describe('checkEnum', () => {
  enum Color { RED = 'red', BLUE = 'blue' }

  test('returns a value of the enum', () => {
    expect(checkEnum('color', Color.BLUE, Color)).toBe('blue');
  });

  test('fails if the value is not one of the enum\'s, listing them, with a note when given', () => {
    expect(() => checkEnum('color', 'green' as Color, Color)).toThrow('color must be one of red, blue, got "green"');
    expect(() => checkEnum('paint[0]', 3 as never, Color, 'the colors we sell')).toThrow('paint[0] must be one of red, blue (the colors we sell), got 3');
  });
});
