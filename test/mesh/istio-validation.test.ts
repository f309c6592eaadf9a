import { describe, expect, test } from 'vitest';
import {
  destinationRuleIssues, duplicateHostsProblem, gatewayIssues, headerValueProblem, matchHeaderNameProblem, mirrorCopiesNothing,
  parseDuration, percentProblem, regexProblem, retriesProblem, retryOnProblem, virtualServiceIssues,
} from '../../lib/mesh/istio-validation';

describe('the webhook rules of Istio 1.30.3', () => {
  test('a regex must not be empty, nor longer than 1,024 bytes, and must compile', () => {
    expect(regexProblem('web-(qa|dev)')).toBeUndefined();
    expect(regexProblem('a'.repeat(1024))).toBeUndefined();
    expect(regexProblem('')).toMatch(/^must not be empty/);
    expect(regexProblem('a'.repeat(1025))).toBe('must be at most 1024 bytes long (Istio\'s limit); it has 1025');
    // Bytes, not characters: "é" takes two.
    expect(regexProblem('é'.repeat(513))).toBe('must be at most 1024 bytes long (Istio\'s limit); it has 1026');
    expect(regexProblem('(')).toMatch(/^must be valid RE2 syntax/);
  });

  test('a fault percentage is 0 or from 0.0001 to 100', () => {
    expect(percentProblem(0)).toBeUndefined();
    expect(percentProblem(0.0001)).toBeUndefined();
    expect(percentProblem(100)).toBeUndefined();
    expect(percentProblem(0.00005)).toBe('must be 0 or between 0.0001 and 100 (Istio\'s limits)');
    expect(percentProblem(100.5)).toBeDefined();
    expect(percentProblem(-1)).toBeDefined();
  });

  test('a mirror percentage below 0.0001 copies nothing, as Istio truncates it to millionths', () => {
    expect(mirrorCopiesNothing(0)).toBe(true);
    expect(mirrorCopiesNothing(0.00009)).toBe(true);
    expect(mirrorCopiesNothing(0.0001)).toBe(false);
    expect(mirrorCopiesNothing(10)).toBe(false);
  });

  test('retries of 0 attempts take no other setting', () => {
    expect(retriesProblem({ attempts: 0 })).toBeUndefined();
    expect(retriesProblem({ attempts: 3, retryOn: '5xx', perTryTimeout: '2s' })).toBeUndefined();
    expect(retriesProblem({ attempts: 0, retryOn: '5xx' })).toBe('attempts of 0 turns retries off, so retryOn must not be set (Istio rejects them)');
    expect(retriesProblem({ attempts: 0, perTryTimeout: '1s', retryOn: '5xx' })).toBe('attempts of 0 turns retries off, so perTryTimeout and retryOn must not be set (Istio rejects them)');
    expect(retriesProblem({ attempts: -1 })).toBe('attempts must not be negative');
  });

  test('retryOn takes known policies and HTTP status codes', () => {
    expect(retryOnProblem('gateway-error')).toBeUndefined();
    expect(retryOnProblem('503')).toBeUndefined();
    expect(retryOnProblem('599')).toMatch(/^must be an HTTP status code or one of 5xx/);
    expect(retryOnProblem('5XX')).toBeDefined();
  });

  test('a header value may use %% and closed %VARIABLES%, but no lone % nor control characters', () => {
    for (const ok of ['canary=v2; Max-Age=3600; Path=/', '100%%', '%HOSTNAME%', 'a %START_TIME(%s)% b', '%REQ(["x", "y"])%', '']) {
      expect(headerValueProblem(ok)).toBeUndefined();
    }
    expect(headerValueProblem('a%b=v2; Path=/')).toMatch(/^must write a literal "%" as "%%"/);
    expect(headerValueProblem('50%')).toMatch(/^must write a literal "%" as "%%"/);
    expect(headerValueProblem('%REQ([x])%')).toBe('must quote each argument of a %NAME([...])% variable');
    expect(headerValueProblem('a\nb')).toBe('must not contain control characters');
    expect(headerValueProblem('a\tb')).toBeUndefined();
  });

  test('match header names are tokens, pseudo-headers or JWT claims', () => {
    expect(matchHeaderNameProblem('x-team')).toBeUndefined();
    expect(matchHeaderNameProblem(':authority')).toBeUndefined();
    expect(matchHeaderNameProblem('@request.auth.claims.group')).toBeUndefined();
    expect(matchHeaderNameProblem('x team')).toBeDefined();
    expect(matchHeaderNameProblem('')).toBe('must not be empty');
  });

  test('VirtualService hosts must not overlap, wildcards included', () => {
    expect(duplicateHostsProblem(['www.example.com', 'website'])).toBeUndefined();
    expect(duplicateHostsProblem(['*.example.com', 'www.example.com'])).toBe('must not overlap: "*.example.com" and "www.example.com" are duplicates for Istio (one covers the other)');
    expect(duplicateHostsProblem(['*', 'www.example.com'])).toBeDefined();
    expect(duplicateHostsProblem(['*.a.example.com', '*.example.com'])).toBeDefined();
  });

  test('durations parse as Istio writes them', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1m30s')).toBe(90000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('500us')).toBe(0.5);
    expect(parseDuration('soon')).toBeUndefined();
  });
});

describe('virtualServiceIssues', () => {
  test('fails if a delegate VirtualService (no hosts) has gateways, tcp or tls rules or a delegate, or a root rule routes beside its delegate', () => {
    // GIVEN a delegate with gateways, tcp and tls rules and a rule that delegates; a root rule with a route and a redirect beside delegate
    const delegate = virtualServiceIssues({ gateways: ['gw'], tcp: [{}], tls: [{}], http: [{ delegate: { name: 'other' } }] });
    const root = virtualServiceIssues({ hosts: ['x.example.com'], http: [{ delegate: { name: 'api' }, route: [{ destination: { host: 'a' } }], redirect: { uri: '/' } }] });

    // THEN
    expect(delegate).toEqual([
      { path: 'spec.gateways', message: 'must be empty in a delegate VirtualService (one without hosts)' },
      { path: 'spec.tcp', message: 'must be empty in a delegate VirtualService (one without hosts)' },
      { path: 'spec.tls', message: 'must be empty in a delegate VirtualService (one without hosts)' },
      { path: 'spec.http[0].delegate', message: 'must not be set in a delegate VirtualService (one without hosts): delegates do not chain' },
    ]);
    expect(root).toEqual([
      { path: 'spec.http[0].route', message: 'must not be set beside delegate: the delegate\'s rules route' },
      { path: 'spec.http[0].redirect', message: 'must not be set beside delegate: the delegate\'s rules route' },
    ]);
    // Near miss: a plain delegate and a root rule with only matches and settings pass.
    expect(virtualServiceIssues({ http: [{ route: [{ destination: { host: 'a' } }] }] })).toEqual([]);
    expect(virtualServiceIssues({ hosts: ['x.example.com'], http: [{ match: [{ uri: { prefix: '/' } }], delegate: { name: 'api' }, timeout: '1s' }] })).toEqual([]);
  });

  test('fails if a gateway name written namespace/name has a part that is not a DNS-1123 label, such as ./name', () => {
    // GIVEN / WHEN
    const issues = virtualServiceIssues({ hosts: ['x.example.com'], gateways: ['./local'], http: [{ match: [{ gateways: ['istio-system/Public'] }] }] });

    // THEN
    expect(issues).toEqual([
      { path: 'spec.gateways[0]', message: '"./local" has a namespace part "." that is not a DNS-1123 label: write namespace/name, or the name alone for a Gateway of the VirtualService\'s namespace ("local")' },
      { path: 'spec.http[0].match[0].gateways[0]', message: '"istio-system/Public" has a name part "Public" that is not a DNS-1123 label: write namespace/name, or the name alone for a Gateway of the VirtualService\'s namespace' },
    ]);
  });

  test('near miss: short, legacy and mesh gateway names pass, and the webhook looks no further than the first of them', () => {
    expect(virtualServiceIssues({ hosts: ['x.example.com'], gateways: ['istio-system/public', 'mesh', './local'] })).toEqual([]);
    expect(virtualServiceIssues({ hosts: ['x.example.com'], gateways: ['public.istio-system.svc.cluster.local'] })).toEqual([]);
  });

  test('a rule the library writes passes', () => {
    expect(virtualServiceIssues({
      hosts: ['www.example.com', 'website'],
      http: [{
        match: [{ headers: { cookie: { regex: '^(.*?;\\s*)?(canary=v2)(;.*)?$' } }, queryParams: { canary: { prefix: 'o' } } }],
        route: [{ destination: { host: 'website', subset: 'v2' }, headers: { response: { add: { 'set-cookie': 'canary=v2; Max-Age=3600; Path=/; Secure' } } } }],
        retries: { attempts: 3, perTryTimeout: '3s', retryOn: 'gateway-error,connect-failure' },
        fault: { delay: { fixedDelay: '2s', percentage: { value: 50 } } },
        mirror: { host: 'website', subset: 'v2' },
        mirrorPercentage: { value: 10 },
        timeout: '10s',
      }],
    })).toEqual([]);
  });

  test('fails if a rule holds what the webhook rejects, each at its path', () => {
    const issues = virtualServiceIssues({
      hosts: ['*.example.com', 'www.example.com'],
      http: [{
        match: [{ headers: { 'x-a': { regex: '' }, 'x-b': { prefix: '' } }, uri: { prefix: '' }, queryParams: { q: { regex: 'a'.repeat(1025) } } }],
        route: [{ destination: { host: 'website', subset: 'V2' }, headers: { response: { add: { 'set-cookie': 'a%b=v2' } } } }],
        retries: { attempts: 0, retryOn: 'connect-failure', perTryTimeout: '0.5ms' },
        fault: { abort: { httpStatus: 503, percentage: { value: 0.00001 } } },
        mirrorPercentage: { value: 101 },
        timeout: '0s',
      }],
    });
    expect(issues.map((i) => i.path)).toEqual([
      'spec.hosts',
      'spec.http[0].match[0].headers["x-a"]',
      'spec.http[0].match[0].headers["x-b"]',
      'spec.http[0].match[0].queryParams["q"]',
      'spec.http[0].route[0].headers.response.add["set-cookie"]',
      'spec.http[0].route[0].destination.subset',
      'spec.http[0].fault.abort.percentage.value',
      'spec.http[0].retries',
      'spec.http[0].retries.perTryTimeout',
      'spec.http[0].mirrorPercentage.value',
      'spec.http[0].timeout',
    ]);
  });

  test('withoutHeaders takes the regex "*" as "present"', () => {
    expect(virtualServiceIssues({ http: [{ match: [{ withoutHeaders: { 'x-a': { regex: '*' } } }], route: [] }] })).toEqual([]);
  });
});

describe('destinationRuleIssues and gatewayIssues', () => {
  test('fails on empty policies, negative limits and out-of-range percentages', () => {
    const issues = destinationRuleIssues({
      host: 'website',
      trafficPolicy: { connectionPool: { tcp: { maxConnections: -1 } }, outlierDetection: { maxEjectionPercent: 120, interval: '0s' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: {} }],
    });
    expect(issues).toEqual([
      { path: 'spec.trafficPolicy.connectionPool.tcp.maxConnections', message: 'must not be negative' },
      { path: 'spec.trafficPolicy.outlierDetection.interval', message: 'must be at least 1ms' },
      { path: 'spec.trafficPolicy.outlierDetection.maxEjectionPercent', message: 'must be between 0 and 100' },
      { path: 'spec.subsets[0].trafficPolicy', message: 'must have at least one field' },
    ]);
  });

  test('fails on a Gateway name with dots, and on HTTPS without tls', () => {
    expect(gatewayIssues('website.gateway', { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'] }] }).map((i) => i.path))
      .toEqual(['metadata.name', 'spec.servers[0].tls']);
    expect(gatewayIssues('website-gateway', { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] })).toEqual([]);
  });
});
