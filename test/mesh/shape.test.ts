import { describe, expect, test } from 'vitest';
import { checkShape, isVerifiedKind, shapeErrors } from '../../lib/mesh/shape';
import { deployment, destinationRule, gateway, route, service, tutorial, virtualService } from '../support/fixtures';

const paths = (m: any) => shapeErrors(m).map((e) => e.path);

describe('shapeErrors', () => {
  test('the tutorial\'s objects have the shape the checks expect', () => {
    expect(tutorial().flatMap((m) => shapeErrors(m))).toEqual([]);
  });

  test.each([
    ['spec.http given as a string', { http: 'route everything' }, 'spec.http must be a list, got the string "route everything"'],
    ['gateways given as a string', { gateways: 'website-gateway' }, 'spec.gateways must be a list, got the string "website-gateway"'],
    ['a route that is a mapping', { http: [{ route: { destination: { host: 'website' } } }] }, 'spec.http[0].route must be a list, got a mapping'],
    ['a negative weight', { http: [{ route: [{ ...route('website', 'a'), weight: -20 }] }] }, 'spec.http[0].route[0].weight must be a whole number from 0 to 2147483647, got -20'],
    ['a fractional weight', { http: [{ route: [{ ...route('website', 'a'), weight: 2.5 }] }] }, 'spec.http[0].route[0].weight must be a whole number from 0 to 2147483647, got 2.5'],
    ['a weight written as a string', { http: [{ route: [{ ...route('website', 'a'), weight: '50' }] }] }, 'spec.http[0].route[0].weight must be a whole number from 0 to 2147483647, got the string "50"'],
    ['a destination without host', { http: [{ route: [{ destination: { subset: 'a' } }] }] }, 'spec.http[0].route[0].destination.host is required'],
    ['a header match that is not a StringMatch', { http: [{ match: [{ headers: { qa: 'canary' } }] }] }, 'spec.http[0].match[0].headers.qa must be a mapping, got the string "canary"'],
  ])('fails if a VirtualService has %s', (_, spec, message) => {
    // GIVEN
    const vs = virtualService('website', [], {});
    vs.spec = { hosts: ['website'], ...spec };
    // WHEN / THEN
    expect(shapeErrors(vs).map((e) => e.message)).toEqual([message]);
  });

  test.each([
    ['a TCP match given as a string', { tcp: [{ match: 'oops', route: [route('db')] }] }, 'spec.tcp[0].match must be a list, got the string "oops"'],
    ['a TCP route given as a string', { tcp: [{ route: 'db' }] }, 'spec.tcp[0].route must be a list, got the string "db"'],
    ['a TCP destination given as a string', { tcp: [{ route: [{ destination: 'db' }] }] }, 'spec.tcp[0].route[0].destination must be a mapping, got the string "db"'],
    ['a TCP weight written as a string', { tcp: [{ route: [{ ...route('db', 'a'), weight: '50' }] }] }, 'spec.tcp[0].route[0].weight must be a whole number from 0 to 2147483647, got the string "50"'],
    ['TLS SNI hosts given as a number', { tls: [{ match: [{ sniHosts: 5 }], route: [route('db')] }] }, 'spec.tls[0].match[0].sniHosts must be a list, got 5'],
    ['a TLS route that is a mapping', { tls: [{ route: { destination: { host: 'db' } } }] }, 'spec.tls[0].route must be a list, got a mapping'],
  ])('fails if a VirtualService has %s (TCP and TLS rules are read like HTTP ones)', (_, spec, message) => {
    const vs = virtualService('db', [], {});
    vs.spec = { hosts: ['db'], ...spec };
    expect(shapeErrors(vs).map((e) => e.message)).toEqual([message]);
  });

  test('fails if an annotation is not a string, or a ServiceEntry\'s hosts, ports or exportTo are not lists', () => {
    const s = service('db');
    s.metadata.annotations = { 'networking.istio.io/exportTo': 5 };
    const entry = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'se' }, spec: { hosts: 7, ports: 'x', exportTo: 3 } };
    expect(shapeErrors(s).map((e) => e.message)).toEqual(['metadata.annotations["networking.istio.io/exportTo"] must be a string, got 5']);
    expect(paths(entry)).toEqual(['spec.hosts', 'spec.ports', 'spec.exportTo']);
  });

  test('fails if replicas are a string, and names labels with dots by their key', () => {
    const d = deployment('web', { 'app.kubernetes.io/name': 'web' });
    d.spec.replicas = '3';
    d.spec.template.metadata.labels = { 'app.kubernetes.io/name': true };
    expect(shapeErrors(d).map((e) => e.message)).toEqual([
      'spec.replicas must be a whole number from 0 to 2147483647, got the string "3"',
      'spec.template.metadata.labels["app.kubernetes.io/name"] must be a string, got true (unquoted yes, no, on and off are booleans in YAML 1.1: quote the value)',
    ]);
  });

  test('fails if a namespace is a template placeholder read as a mapping', () => {
    const s = service('web');
    s.metadata.namespace = { '[object Object]': null };
    expect(shapeErrors(s).map((e) => e.message)).toEqual(['metadata.namespace must be a string, got a mapping (an unrendered template such as {{ .Values.x }}? render it first)']);
  });

  test('fails on DestinationRules without host, subsets without name, Gateways with text ports', () => {
    const dr = destinationRule('website', 'website', [['v1', { version: 'v1' }]]);
    delete dr.spec.host;
    dr.spec.subsets.push({ labels: { version: 'v2' } });
    const gw = gateway('gw');
    gw.spec.servers[0].port.number = '80';
    expect(paths(dr)).toEqual(['spec.host', 'spec.subsets[1].name']);
    expect(paths(gw)).toEqual(['spec.servers[0].port.number']);
  });

  test('kinds the checks do not read are only checked for string metadata', () => {
    const policy = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p' }, spec: { rules: 'anything' } };
    expect(isVerifiedKind(policy)).toBe(false);
    expect(shapeErrors(policy)).toEqual([]);
    expect(isVerifiedKind({ apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute' })).toBe(false);
    expect(isVerifiedKind({ apiVersion: 'networking.istio.io/v1beta1', kind: 'Gateway' })).toBe(true);
  });
});

describe('Gateway API shapes', () => {
  test('Gateways, HTTPRoutes and ReferenceGrants of v1 and v1beta1 are read', () => {
    // GIVEN / WHEN / THEN
    for (const apiVersion of ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1']) {
      for (const kind of ['Gateway', 'HTTPRoute', 'ReferenceGrant']) {
        expect(isVerifiedKind({ apiVersion, kind }), `${apiVersion} ${kind}`).toBe(true);
      }
    }
  });

  test('fails if an HTTPRoute has a backend weight out of range, a parentRef without a name or an unknown path match type', () => {
    // GIVEN
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' },
      spec: {
        parentRefs: [{ kind: 'Service' }],
        hostnames: ['a.example.com'],
        rules: [{ matches: [{ path: { type: 'Prefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80, weight: 1000001 }] }],
      },
    };
    // WHEN
    const errors = shapeErrors(route).map((e) => e.message);
    // THEN
    expect(errors).toEqual([
      'spec.parentRefs[0].name is required',
      'spec.rules[0].matches[0].path.type must be one of Exact, PathPrefix, RegularExpression, got the string "Prefix"',
      'spec.rules[0].backendRefs[0].weight must be a whole number from 0 to 1000000, got 1000001',
    ]);
  });

  test('passes the HTTPRoute filters explain reads when they are well formed', () => {
    // GIVEN a mirror, a redirect, a rewrite and a header modifier as the spec writes them
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' },
      spec: {
        rules: [
          { filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'web-v2', port: 80 }, fraction: { numerator: 5, denominator: 1000 } } }], backendRefs: [{ name: 'web', port: 80 }] },
          { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', hostname: 'www.example.com', port: 8443, statusCode: 301, path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } } }] },
          { filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'web.internal', path: { type: 'ReplaceFullPath', replaceFullPath: '/' } } }, { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: 'y' }] } }] },
        ],
      },
    };
    // WHEN / THEN
    expect(shapeErrors(route)).toEqual([]);
  });

  test.each([
    ['a mirror without backendRef', { type: 'RequestMirror', requestMirror: { percent: 5 } }, 'spec.rules[0].filters[0].requestMirror.backendRef is required'],
    ['a mirror percent above 100', { type: 'RequestMirror', requestMirror: { backendRef: { name: 'web' }, percent: 150 } }, 'spec.rules[0].filters[0].requestMirror.percent must be a whole number from 0 to 100, got 150'],
    ['a mirror fraction with denominator 0', { type: 'RequestMirror', requestMirror: { backendRef: { name: 'web' }, fraction: { numerator: 1, denominator: 0 } } }, 'spec.rules[0].filters[0].requestMirror.fraction.denominator must be a whole number from 1 to 2147483647, got 0'],
    ['a redirect status that is not a redirect', { type: 'RequestRedirect', requestRedirect: { statusCode: 200 } }, 'spec.rules[0].filters[0].requestRedirect.statusCode must be one of 301, 302, 303, 307, 308, got 200'],
    ['a redirect scheme in capitals', { type: 'RequestRedirect', requestRedirect: { scheme: 'HTTPS' } }, 'spec.rules[0].filters[0].requestRedirect.scheme must be one of http, https, got the string "HTTPS"'],
    ['a redirect port written as a string', { type: 'RequestRedirect', requestRedirect: { port: '443' } }, 'spec.rules[0].filters[0].requestRedirect.port must be a whole number from 1 to 65535, got the string "443"'],
    ['a path modifier of an unknown type', { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefix', replacePrefixMatch: '/' } } }, 'spec.rules[0].filters[0].urlRewrite.path.type must be one of ReplaceFullPath, ReplacePrefixMatch, got the string "ReplacePrefix"'],
    ['a filter without type', { requestRedirect: {} }, 'spec.rules[0].filters[0].type is required'],
  ])('fails if an HTTPRoute filter has %s', (_, filter, message) => {
    // GIVEN
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { rules: [{ filters: [filter] }] } };
    // WHEN / THEN
    expect(shapeErrors(route).map((e) => e.message)).toEqual([message]);
  });

  test.each([
    ['a redirect code written as a string', { redirect: { redirectCode: '301' } }, 'spec.http[0].redirect.redirectCode must be a whole number from 0 to 4294967295, got the string "301"'],
    ['an unknown derivePort', { redirect: { derivePort: 'FROM_REQUEST' } }, 'spec.http[0].redirect.derivePort must be one of FROM_PROTOCOL_DEFAULT, FROM_REQUEST_PORT, got the string "FROM_REQUEST"'],
    ['a redirect uri given as a list', { redirect: { uri: ['/a'] } }, 'spec.http[0].redirect.uri must be a string, got a list'],
    ['a direct response without status', { directResponse: { body: { string: 'gone' } } }, 'spec.http[0].directResponse.status is required'],
    ['a direct response status written as a string', { directResponse: { status: '503' } }, 'spec.http[0].directResponse.status must be a whole number from 0 to 4294967295, got the string "503"'],
    ['a rewrite authority given as a number', { route: [route('website')], rewrite: { authority: 5 } }, 'spec.http[0].rewrite.authority must be a string, got 5'],
  ])('fails if a VirtualService rule has %s', (_, rule, message) => {
    // GIVEN
    const vs = virtualService('website', [rule], { hosts: ['website'] });
    // WHEN / THEN
    expect(shapeErrors(vs).map((e) => e.message)).toEqual([message]);
  });

  test('passes a VirtualService rule that redirects or answers directly as Istio documents it', () => {
    // GIVEN / WHEN / THEN
    expect(shapeErrors(virtualService('website', [
      { match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new', authority: 'www.example.com', scheme: 'https', derivePort: 'FROM_PROTOCOL_DEFAULT', redirectCode: 308 } },
      { match: [{ uri: { prefix: '/gone' } }], directResponse: { status: 410, body: { string: 'gone' } } },
      { route: [route('website')], rewrite: { uri: '/', authority: 'web.internal' } },
    ], { hosts: ['website'] }))).toEqual([]);
  });

  test('fails if a Gateway has no listeners or a listener without a port, and passes a well-formed one', () => {
    // GIVEN
    const good = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostname: 'a.example.com' }] } };
    const bad = { ...good, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', protocol: 'HTTP' }] } };
    const none = { ...good, spec: { gatewayClassName: 'istio' } };
    // WHEN / THEN
    expect(shapeErrors(good)).toEqual([]);
    expect(shapeErrors(bad).map((e) => e.message)).toEqual(['spec.listeners[0].port is required']);
    expect(shapeErrors(none).map((e) => e.message)).toEqual(['spec.listeners is required']);
  });

  test('fails if a listener\'s allowedRoutes has a selector or kinds of the wrong shape, and passes well-formed ones', () => {
    // GIVEN
    const gateway = (allowedRoutes: unknown) => ({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes }] },
    });
    // WHEN / THEN
    expect(shapeErrors(gateway({ namespaces: { from: 'Selector', selector: { matchLabels: { team: 1 } } } })).map((e) => e.message))
      .toEqual(['spec.listeners[0].allowedRoutes.namespaces.selector.matchLabels.team must be a string, got 1']);
    expect(shapeErrors(gateway({ kinds: 'HTTPRoute' })).map((e) => e.message)).toEqual(['spec.listeners[0].allowedRoutes.kinds must be a list, got the string "HTTPRoute"']);
    expect(shapeErrors(gateway({ kinds: [{ group: 'gateway.networking.k8s.io' }] })).map((e) => e.message)).toEqual(['spec.listeners[0].allowedRoutes.kinds[0].kind is required']);
    expect(shapeErrors(gateway({ namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['shop'] }] } }, kinds: [{ kind: 'HTTPRoute' }] }))).toEqual([]);
  });

  test('fails if a listener\'s tls has certificateRefs or a mode of the wrong shape', () => {
    const gateway = (tls: unknown) => ({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls }] },
    });
    expect(shapeErrors(gateway({ certificateRefs: 'shop-cert' })).map((e) => e.message)).toEqual(['spec.listeners[0].tls.certificateRefs must be a list, got the string "shop-cert"']);
    expect(shapeErrors(gateway({ mode: 'SIMPLE', certificateRefs: [{ name: 'c' }] })).map((e) => e.message)).toEqual(['spec.listeners[0].tls.mode must be one of Terminate, Passthrough, got the string "SIMPLE"']);
    expect(shapeErrors(gateway({ mode: 'Terminate', certificateRefs: [{ name: 'c', namespace: 'certs' }] }))).toEqual([]);
  });
});

describe('GRPCRoute and TLSRoute shapes', () => {
  const G = 'gateway.networking.k8s.io';
  const grpc = (spec: unknown, version = 'v1') => ({ apiVersion: `${G}/${version}`, kind: 'GRPCRoute', metadata: { name: 'r' }, spec });
  const tls = (spec: unknown, version = 'v1') => ({ apiVersion: `${G}/${version}`, kind: 'TLSRoute', metadata: { name: 'r' }, spec });
  const messages = (m: any) => shapeErrors(m).map((e) => e.message);

  test('GRPCRoute v1 and TLSRoute v1, v1alpha3 and v1alpha2 are read; versions the v1.5.1 CRDs do not serve are not', () => {
    // GIVEN / WHEN / THEN
    for (const [kind, version] of [['GRPCRoute', 'v1'], ['TLSRoute', 'v1'], ['TLSRoute', 'v1alpha3'], ['TLSRoute', 'v1alpha2']]) {
      expect(isVerifiedKind({ apiVersion: `${G}/${version}`, kind }), `${kind} ${version}`).toBe(true);
    }
    for (const [kind, apiVersion] of [['GRPCRoute', `${G}/v1alpha2`], ['GRPCRoute', `${G}/v1beta1`], ['TLSRoute', `${G}/v1beta1`], ['TLSRoute', 'example.com/v1'], ['GRPCRoute', 'v1']]) {
      expect(isVerifiedKind({ apiVersion, kind }), `${kind} ${apiVersion}`).toBe(false);
    }
  });

  test('passes a GRPCRoute and a TLSRoute written as in the Gateway API\'s guides, with fields the checks do not read', () => {
    // GIVEN / WHEN / THEN
    expect(shapeErrors(grpc({
      parentRefs: [{ name: 'edge', sectionName: 'grpc' }],
      hostnames: ['grpc.example.com'],
      rules: [{
        matches: [{ method: { service: 'com.example.User', method: 'Login' }, headers: [{ type: 'Exact', name: 'env', value: 'canary' }] }],
        filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x', value: 'y' }] } }, { type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 50051 }, percent: 5 } }],
        backendRefs: [{ name: 'users', port: 50051, weight: 90, filters: [] }],
        sessionPersistence: { type: 'Cookie' },
      }],
    }))).toEqual([]);
    expect(shapeErrors(tls({ parentRefs: [{ name: 'edge', sectionName: 'tls' }], hostnames: ['vault.example.com'], rules: [{ name: 'vault', backendRefs: [{ name: 'vault', port: 8200 }] }], useDefaultGateways: 'None' }))).toEqual([]);
  });

  test('fails if a GRPCRoute has a parentRef without a name, a backendRef port as a string, a weight out of range or a mirror without its backendRef', () => {
    // GIVEN
    const route = grpc({
      parentRefs: [{ sectionName: 'grpc' }],
      hostnames: 'grpc.example.com',
      rules: [{ backendRefs: [{ name: 'users', port: '50051' }, { name: 'users', port: 50051, weight: -1 }], filters: [{ type: 'RequestMirror', requestMirror: { percent: 5 } }, { requestMirror: {} }] }],
    });
    // WHEN / THEN
    expect(messages(route)).toEqual([
      'spec.parentRefs[0].name is required',
      'spec.hostnames must be a list, got the string "grpc.example.com"',
      'spec.rules[0].backendRefs[0].port must be a whole number from 1 to 65535, got the string "50051"',
      'spec.rules[0].backendRefs[1].weight must be a whole number from 0 to 1000000, got -1',
      'spec.rules[0].filters[0].requestMirror.backendRef is required',
      'spec.rules[0].filters[1].type is required',
      'spec.rules[0].filters[1].requestMirror.backendRef is required',
    ]);
  });

  test('fails if a TLSRoute of v1 or v1alpha3 has no hostnames or rules, or a rule without backendRefs; v1alpha2 needs no hostnames', () => {
    // GIVEN / WHEN / THEN
    expect(messages(tls({ parentRefs: [{ name: 'edge' }] }))).toEqual(['spec.hostnames is required', 'spec.rules is required']);
    expect(messages(tls({ rules: [{ backendRefs: [{ name: 'vault', port: 8200 }] }] }, 'v1alpha3'))).toEqual(['spec.hostnames is required']);
    expect(messages(tls({ rules: [{ backendRefs: [{ name: 'vault', port: 8200 }] }] }, 'v1alpha2'))).toEqual([]);
    expect(messages(tls({ hostnames: ['vault.example.com'], rules: [{ name: 'vault' }] }))).toEqual(['spec.rules[0].backendRefs is required']);
    expect(messages(tls({ hostnames: ['vault.example.com'], rules: [{ backendRefs: [{ port: 8200, weight: '1' }] }] }))).toEqual([
      'spec.rules[0].backendRefs[0].name is required',
      'spec.rules[0].backendRefs[0].weight must be a whole number from 0 to 1000000, got the string "1"',
    ]);
    expect(messages(tls({ hostnames: ['vault.example.com'], rules: { backendRefs: [] } }, 'v1alpha2'))).toEqual(['spec.rules must be a list, got a mapping']);
  });
});

describe('checkShape', () => {
  test('drops the null fields the checks read, on a copy, as the API server takes them as absent', () => {
    // GIVEN
    const d = deployment('web', { app: 'web' });
    d.spec.selector = null;
    d.metadata.labels = null;
    // WHEN
    const { errors, manifest } = checkShape(d);
    // THEN
    expect(errors).toEqual([]);
    expect(manifest).not.toBe(d);
    expect(manifest.spec.selector).toBeUndefined();
    expect('labels' in (manifest.metadata as object)).toBe(false);
    expect(d.spec.selector).toBeNull();
  });

  test('returns the object itself when nothing is null', () => {
    const s = service('web');
    expect(checkShape(s).manifest).toBe(s);
  });
});
