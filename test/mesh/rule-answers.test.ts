import { describe, expect, test } from 'vitest';
import { describeIstioRewrite, describeUrlRewrite, gatewayApiRedirect, istioRedirect, mirrorPercent, replacePrefixMatch } from '../../lib/mesh/rule-answers';

describe('replacePrefixMatch', () => {
  // The table of the Gateway API spec (HTTPPathModifier.replacePrefixMatch).
  test.each([
    ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo', '/xyz/', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz/', '/xyz/bar'],
    ['/foo', '/foo', '/xyz', '/xyz'],
    ['/foo/', '/foo', '/xyz', '/xyz/'],
    ['/foo/bar', '/foo', '', '/bar'],
    ['/foo/', '/foo', '', '/'],
    ['/foo', '/foo', '', '/'],
    ['/foo/', '/foo', '/', '/'],
    ['/foo', '/foo', '/', '/'],
    ['/bar', '/', '/xyz', '/xyz/bar'],
  ])('path %s, prefix %s, replacement "%s": %s', (path, prefix, replacement, expected) => {
    expect(replacePrefixMatch(path, prefix, replacement)).toBe(expected);
  });
});

describe('istioRedirect', () => {
  const request = { host: 'www.example.com', path: '/old/page?x=1', port: 8080, scheme: 'http' as const };

  test('keeps the request\'s scheme, host, path and query, and answers 301, when only the code is left out', () => {
    expect(istioRedirect({ scheme: 'https' }, request)).toEqual({ status: 301, location: 'https://www.example.com/old/page?x=1' });
    expect(istioRedirect({ authority: 'shop.example.com', redirectCode: 308 }, request)).toEqual({ status: 308, location: 'http://shop.example.com/old/page?x=1' });
  });

  test('replaces the whole path with uri, whose own query replaces the request\'s', () => {
    expect(istioRedirect({ uri: '/new' }, request).location).toBe('http://www.example.com/new?x=1');
    expect(istioRedirect({ uri: '/new?y=2' }, request).location).toBe('http://www.example.com/new?y=2');
  });

  test('writes the port given or the request\'s, except the default port of the scheme', () => {
    expect(istioRedirect({ port: 8443, scheme: 'https' }, request).location).toBe('https://www.example.com:8443/old/page?x=1');
    expect(istioRedirect({ port: 443, scheme: 'https' }, request).location).toBe('https://www.example.com/old/page?x=1');
    expect(istioRedirect({ derivePort: 'FROM_REQUEST_PORT' }, request).location).toBe('http://www.example.com:8080/old/page?x=1');
    expect(istioRedirect({ derivePort: 'FROM_PROTOCOL_DEFAULT', scheme: 'https' }, request).location).toBe('https://www.example.com/old/page?x=1');
  });

  test('writes what the request does not tell as placeholders', () => {
    expect(istioRedirect({ derivePort: 'FROM_REQUEST_PORT' }, { host: '*', path: '/' })).toEqual({ status: 301, location: '<scheme>://<host>:<port>/' });
    expect(istioRedirect({ scheme: 'https', uri: '/new' })).toEqual({ status: 301, location: 'https://<host>/new' });
    expect(istioRedirect({})).toEqual({ status: 301, location: '<scheme>://<host><path>' });
  });
});

describe('gatewayApiRedirect', () => {
  const request = { host: 'shop.example.com', path: '/shop/cart?v=2', port: 8080, scheme: 'http' as const };
  const shop = { path: { type: 'PathPrefix', value: '/shop' } };

  test('answers 302 by default and keeps the port the request came to when neither port nor scheme is set', () => {
    expect(gatewayApiRedirect({ hostname: 'www.example.com' }, shop, request)).toEqual({ status: 302, location: 'http://www.example.com:8080/shop/cart?v=2' });
  });

  test('takes the default port of the scheme set, and writes it only when it is not that default', () => {
    expect(gatewayApiRedirect({ scheme: 'https', statusCode: 301 }, shop, request)).toEqual({ status: 301, location: 'https://shop.example.com/shop/cart?v=2' });
    expect(gatewayApiRedirect({ scheme: 'https', port: 8443 }, shop, request).location).toBe('https://shop.example.com:8443/shop/cart?v=2');
    expect(gatewayApiRedirect({}, shop, { ...request, port: 80 }).location).toBe('http://shop.example.com/shop/cart?v=2');
  });

  test('replaces the full path, or the prefix the match took', () => {
    expect(gatewayApiRedirect({ path: { type: 'ReplaceFullPath', replaceFullPath: '/store' } }, shop, request).location).toBe('http://shop.example.com:8080/store?v=2');
    expect(gatewayApiRedirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/store' } }, shop, request).location).toBe('http://shop.example.com:8080/store/cart?v=2');
    expect(gatewayApiRedirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/store' } }, shop).location).toBe('<scheme>://<host>:<port><path, with prefix "/shop" replaced by "/store">');
  });

  test('says that a prefix cannot be replaced after an exact match (the route is not Accepted)', () => {
    const redirect = gatewayApiRedirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/store' } }, { path: { type: 'Exact', value: '/shop/cart' } }, request);
    expect(redirect.problem).toBe('ReplacePrefixMatch needs a PathPrefix match, and the match is Exact: the route is not Accepted');
    expect(redirect.location).toBe('http://shop.example.com:8080<path>?v=2');
  });
});

describe('rewrites', () => {
  test('describe what a URLRewrite filter changes for the request, and nothing for an empty one', () => {
    const shop = { path: { type: 'PathPrefix', value: '/shop' } };
    expect(describeUrlRewrite({ hostname: 'web.internal', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } }, shop, '/shop/cart?v=2')).toBe('host to "web.internal", path to "/cart?v=2"');
    expect(describeUrlRewrite({ path: { type: 'ReplaceFullPath', replaceFullPath: '/index.html' } }, shop)).toBe('path to "/index.html"');
    // Without a request (in the diagram), the prefix and its replacement.
    expect(describeUrlRewrite({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } }, shop)).toBe('path prefix "/shop" to "/"');
    expect(describeUrlRewrite({}, shop, '/shop')).toBeUndefined();
  });

  test('describe what a VirtualService rewrite changes, and nothing for an empty one', () => {
    expect(describeIstioRewrite({ uri: '/v2', authority: 'web.internal' })).toBe('the matched path prefix (or the whole path of an exact match) to "/v2", host to "web.internal"');
    expect(describeIstioRewrite({ uriRegexRewrite: { match: '^/old(.*)', rewrite: '/new\\1' } })).toBe('the path, what matches /^/old(.*)/ to "/new\\1"');
    expect(describeIstioRewrite({ uri: '' })).toBeUndefined();
  });
});

describe('mirrorPercent', () => {
  test('takes percent, else the fraction (over 100 by default), else all requests', () => {
    expect(mirrorPercent({ percent: 10 })).toBe(10);
    expect(mirrorPercent({ fraction: { numerator: 5, denominator: 1000 } })).toBe(0.5);
    expect(mirrorPercent({ fraction: { numerator: 123450, denominator: 1000000 } })).toBe(12.345);
    expect(mirrorPercent({ fraction: { numerator: 7 } })).toBe(7);
    expect(mirrorPercent({})).toBe(100);
    expect(mirrorPercent({ percent: 0 })).toBe(0);
  });
});
