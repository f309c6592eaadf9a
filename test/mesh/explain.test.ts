import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { mermaidDiagram } from '../../lib/mesh/diagram';
import { explain, ExplainError, formatExplanation } from '../../lib/mesh/explain';
import { parseManifestText, readManifests } from '../../lib/mesh/read';
import { deployment, destinationRule, gateway, route, service, tutorial, tutorialWithDelegate, V1, virtualService } from '../support/fixtures';
import { bookinfo, ISTIO_SAMPLES } from '../support/samples';

describe('explain', () => {
  test('picks the VirtualService by host, the exact host before a wildcard', () => {
    const manifests = [
      ...tutorial().filter((m) => m.kind !== 'VirtualService'),
      virtualService('wild', [{ route: [route('website', 'version-1')] }], { hosts: ['*.example.com'] }),
      virtualService('exact', [{ route: [route('website', 'version-2')] }], { hosts: ['shop.example.com'] }),
    ];
    expect(explain(manifests, { host: 'shop.example.com' }).virtualService?.name).toBe('exact');
    expect(explain(manifests, { host: 'www.example.com' }).virtualService?.name).toBe('wild');
    expect(() => explain(manifests, {})).toThrow(ExplainError);
    expect(() => explain(manifests, {})).toThrow('2 VirtualServices are bound to default/website-gateway (default/wild, default/exact): pass --host');
  });

  test('explains in-mesh calls by the Service name in any of its forms', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [{ route: [route('website', 'version-2')] }], { hosts: ['website'], gateways: ['mesh'] })];
    for (const host of ['website', 'website.default', 'website.default.svc.cluster.local']) {
      expect(explain(manifests, { gateway: 'mesh', host }).destinations.map((d) => d.subset), host).toEqual(['version-2']);
    }
  });

  test('a route to website.default goes nowhere: Istio takes a host with a dot as written, unlike a request\'s Host', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [{ route: [route('website.default', 'version-2')] }], { hosts: ['website'], gateways: ['mesh'] })];
    const text = formatExplanation(explain(manifests, { gateway: 'mesh', host: 'website.default' }));
    expect(text).toContain('matched: VirtualService default/vs');
    expect(text).toContain('100% -> subset version-2 of website.default -> host not defined (no Service or ServiceEntry): 503');
  });

  test('reports mirrors apart from the shares, and a request no rule matches', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [
      { match: [{ uri: { prefix: '/shop' } }], route: [route('website', 'version-1')], mirror: { host: 'website', subset: 'version-2' }, mirrorPercentage: { value: 5 } },
    ])];
    const shop = explain(manifests, { path: '/shop/cart' });
    expect(shop.destinations.map((d) => [d.percent, d.subset])).toEqual([[100, 'version-1']]);
    expect(shop.mirrors).toEqual([{ percent: 5, host: 'website.default.svc.cluster.local', subset: 'version-2' }]);
    expect(formatExplanation(shop)).toContain('  mirror 5% -> subset version-2 of website.default.svc.cluster.local (copies, responses ignored)');
    expect(explain(manifests, { path: '/about' }).notes).toEqual(['no rule of VirtualService default/vs matches: the request is answered 404']);
  });

  test('leaves out a route or mirror without a destination, as the diagram and the checks do', () => {
    // GIVEN a rule whose second route and first mirror name no destination (Istio's schema requires one)
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [
      { route: [{ ...route('website', 'version-1'), weight: 50 }, { weight: 50 }], mirrors: [{ percentage: { value: 5 } }, { destination: { host: 'website', subset: 'version-2' } }] },
    ])];

    // WHEN
    const e = explain(manifests);

    // THEN
    expect(e.destinations.map((d) => [d.percent, d.subset])).toEqual([[100, 'version-1']]);
    expect(e.mirrors).toEqual([{ percent: 100, host: 'website.default.svc.cluster.local', subset: 'version-2' }]);
    expect(mermaidDiagram(manifests)).toContain('-->|100%|');
  });

  test('takes an http rule written as null for a rule without conditions or routes, without failing', () => {
    // GIVEN an http list whose first item is null (as `- ~` in YAML)
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [null])];

    // WHEN
    const e = explain(manifests);

    // THEN
    expect(e.rule).toEqual({ number: 1, matchedBy: 'every request' });
    expect(e.destinations).toEqual([]);
  });

  test('counts pods of DaemonSets as one per node', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'Deployment'), deployment('web-v1', V1, { kind: 'DaemonSet' }), deployment('web-v2', { app: 'website', version: 'website-version-2' })];
    expect(formatExplanation(explain(manifests))).toContain('80% -> subset version-1 of website.default.svc.cluster.local -> DaemonSet default/web-v1 (one pod per node)');
  });

  test('fails on an ambiguous gateway name, and without a gateway when there are several', () => {
    const manifests = [...tutorial(), gateway('website-gateway', ['*'], { ns: 'other' }), destinationRule('x', 'website', [])];
    expect(() => explain(manifests, { gateway: 'website-gateway' })).toThrow('Gateway "website-gateway" is ambiguous (default/website-gateway, other/website-gateway): give it as namespace/name');
    expect(() => explain(manifests)).toThrow('the manifests define 2 Gateways (default/website-gateway, other/website-gateway): pass --gateway NAME or --gateway mesh');
    expect(explain(manifests, { gateway: 'default/website-gateway' }).virtualService?.name).toBe('website-virtual-service');
  });
});

describe('explain on VirtualService rules that answer by themselves', () => {
  const withRules = (http: any[]) => [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', http)];
  const site = { route: [route('website', 'version-1')] };

  test('says where a redirect sends the request asked about, with its status, and lists no destination', () => {
    // GIVEN a rule that redirects /old to HTTPS (301 by default), before a rule that routes
    const manifests = withRules([{ match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new', scheme: 'https' } }, site]);
    // WHEN
    const e = explain(manifests, { host: 'www.example.com', path: '/old/page?x=1' });
    // THEN
    expect(e.rule?.number).toBe(1);
    expect(e.destinations).toEqual([]);
    expect(e.redirect).toEqual({ status: 301, location: 'https://www.example.com/new?x=1' });
    expect(formatExplanation(e)).toBe([
      'request: GET /old/page?x=1, host www.example.com, via default/website-gateway',
      'matched: VirtualService default/vs, http rule 1: uri starting with "/old"',
      'note: http rule 1 of VirtualService default/vs answers with a 301 redirect to https://www.example.com/new?x=1',
      '',
    ].join('\n'));
  });

  test('near miss: a request the redirect rule does not take is routed, without redirect', () => {
    const e = explain(withRules([{ match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new', scheme: 'https' } }, site]), { host: 'www.example.com', path: '/about' });
    expect(e.rule?.number).toBe(2);
    expect(e.redirect).toBeUndefined();
    expect(e.destinations.map((d) => d.subset)).toEqual(['version-1']);
  });

  test('writes the request\'s own scheme (HTTP for the tutorial\'s Gateway) and port when the redirect keeps them, and <host> when no host is asked', () => {
    // GIVEN a redirect that changes only the host and keeps the request's port
    const manifests = withRules([{ redirect: { authority: 'shop.example.com', derivePort: 'FROM_REQUEST_PORT', redirectCode: 308 } }]);
    // WHEN / THEN the Gateway's only port (80) is HTTP's default, so it is not written
    expect(explain(manifests, { path: '/a' }).redirect).toEqual({ status: 308, location: 'http://shop.example.com/a' });
    expect(explain(withRules([{ redirect: { uri: '/b' } }]), { path: '/a' }).redirect?.location).toBe('http://<host>/b');
  });

  test('sends nothing to the routes of a rule that also redirects, as Istio answers the redirect first', () => {
    // GIVEN a rule with both (Istio's validation refuses it, the proxy redirects)
    const e = explain(withRules([{ ...site, mirror: { host: 'website', subset: 'version-2' }, redirect: { scheme: 'https' } }]), { host: 'www.example.com' });
    // THEN
    expect(e.destinations).toEqual([]);
    expect(e.mirrors).toEqual([]);
    expect(e.notes).toEqual(['http rule 1 of VirtualService default/vs answers with a 301 redirect to https://www.example.com/; its routes get no request (Istio\'s validation refuses routes beside it)']);
  });

  test('says that a rule answers directly, with its status', () => {
    // GIVEN a rule that answers 410 for /gone, before a rule that routes
    const manifests = withRules([{ match: [{ uri: { prefix: '/gone' } }], directResponse: { status: 410, body: { string: 'gone' } } }, site]);
    // WHEN
    const gone = explain(manifests, { path: '/gone' });
    // THEN
    expect(gone.directResponse).toEqual({ status: 410 });
    expect(gone.destinations).toEqual([]);
    expect(gone.notes).toEqual(['http rule 1 of VirtualService default/vs answers directly with status 410']);
    // Near miss: another path is routed.
    expect(explain(manifests, { path: '/shop' }).directResponse).toBeUndefined();
  });

  test('says a rule whose delegate does not exist is left out, and a rule with nothing to do has nothing', () => {
    expect(explain(withRules([{ delegate: { name: 'shop', namespace: 'shop' } }])).notes).toEqual([
      'http rule 1 of VirtualService default/vs delegates to VirtualService shop/shop, which does not exist (no VirtualService without hosts of that name): Istio leaves the rule out',
      'VirtualService default/vs takes host *, but none of its rules applies on port 80: the gateway answers 404',
    ]);
    expect(explain(withRules([{ name: 'empty' }])).notes).toEqual(['http rule 1 of VirtualService default/vs has no route, redirect or direct response']);
  });

  test('says what a rule rewrites, and still lists its destinations', () => {
    // GIVEN
    const e = explain(withRules([{ ...site, rewrite: { uri: '/v1', authority: 'web.internal' } }]));
    // THEN
    expect(e.destinations.map((d) => d.subset)).toEqual(['version-1']);
    expect(e.notes).toEqual(['http rule 1 of VirtualService default/vs rewrites the request before it reaches its destinations: the matched path prefix (or the whole path of an exact match) to "/v1", host to "web.internal"']);
    // Near miss: without a rewrite, no note.
    expect(explain(withRules([site])).notes).toEqual([]);
  });
});

describe('explain tells what it cannot see', () => {
  const step4 = () => readManifests([join(__dirname, '..', 'fixtures', 'tutorial-step4.yaml')]);

  test('names a subset that no DestinationRule defines as missing (503), in text and JSON, on the tutorial\'s step 4', () => {
    // GIVEN the tutorial's step 4, which routes qa: canary-test to subset version-2 before defining it
    // WHEN the header request is explained
    const e = explain(step4(), { headers: { qa: 'canary-test' } });
    // THEN the destination is named as missing, not as a subset without pods
    expect(e.destinations).toEqual([{ percent: 100, host: 'website.default.svc.cluster.local', subset: 'version-2', workloads: [], missing: 'subset' }]);
    expect(formatExplanation(e)).toContain('  100% -> subset version-2 of website.default.svc.cluster.local -> subset not defined (no DestinationRule of the host defines it): 503\n');
    expect(formatExplanation(e)).not.toContain('no pods');
  });

  test('names a host without Service or ServiceEntry as missing, and keeps "no pods" for a defined subset without pods', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService' && m.kind !== 'Deployment'), virtualService('vs', [{ route: [route('webiste', 'version-1', 50), route('website', 'version-1', 50)] }])];
    const e = explain(manifests);
    expect(e.destinations.map((d) => d.missing)).toEqual(['host', undefined]);
    expect(formatExplanation(e)).toContain('-> subset version-1 of webiste.default.svc.cluster.local -> host not defined (no Service or ServiceEntry): 503');
    expect(formatExplanation(e)).toContain('-> subset version-1 of website.default.svc.cluster.local -> no pods');
  });

  test('numbers the matched rule the same way in text and JSON', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [
      { match: [{ uri: { prefix: '/shop' } }], route: [route('website', 'version-2')] },
      { name: 'rest', route: [route('website', 'version-1')] },
    ])];
    const e = explain(manifests, { path: '/' });
    expect(e.rule).toEqual({ number: 2, name: 'rest', matchedBy: 'every request' });
    expect(formatExplanation(e)).toContain('http rule 2 ("rest"): every request');
  });

  test('names a header no rule tests once, with its value', () => {
    expect(explain(tutorial(), { headers: { QA: 'canary-test' } }).notes).toEqual(['no rule of VirtualService default/website-virtual-service tests header qa, so its value "canary-test" does not change where the request goes']);
  });
});

describe('explain honours port matches', () => {
  const byPort = (gatewayPorts: number[]) => {
    const gw = gateway('website-gateway');
    gw.spec.servers = gatewayPorts.map((number) => ({ port: { number, name: `http-${number}`, protocol: 'HTTP' }, hosts: ['*'] }));
    return [...tutorial().filter((m) => m.kind !== 'VirtualService' && m.kind !== 'Gateway'), gw, virtualService('vs', [
      { match: [{ port: 8080 }], route: [route('website', 'version-2')] },
      { route: [route('website', 'version-1')] },
    ])];
  };

  test('matches a rule on the port given', () => {
    const e = explain(byPort([80, 8080]), { port: 8080 });
    expect(e.rule).toMatchObject({ number: 1, matchedBy: 'port 8080' });
    expect(e.request.port).toBe(8080);
    expect(explain(byPort([80, 8080]), { port: 80 }).rule?.number).toBe(2);
  });

  test('takes the Gateway\'s only port when none is given', () => {
    expect(explain(byPort([8080])).rule?.number).toBe(1);
    expect(explain(byPort([80])).rule?.number).toBe(2);
    expect(explain(byPort([80])).notes).toEqual([]);
  });

  test('says that a port match cannot be judged when the Gateway has several ports and none is given', () => {
    const e = explain(byPort([80, 8080]));
    expect(e.rule?.number).toBe(2);
    expect(e.notes).toEqual(['http rule 1 tests port 8080, which a request description cannot carry (give the port the request comes to); it is taken as not matching']);
  });

  test('in the mesh, takes the Service\'s only port', () => {
    const manifests = byPort([80]).map((m) => (m.kind === 'VirtualService' ? { ...m, spec: { ...m.spec, hosts: ['website'], gateways: ['mesh'], http: [{ match: [{ port: 80 }], route: [route('website', 'version-2')] }] } } : m));
    expect(explain(manifests, { gateway: 'mesh', host: 'website' }).rule?.number).toBe(1);
  });
});

describe('Gateway API objects', () => {
  // Shaped like Istio's bookinfo samples/bookinfo/gateway-api: a Gateway API Gateway and routes.
  const apiGateway = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'shop-gateway' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
  const meshSplit = {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'website-split' },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'website', port: 80 }], rules: [{ backendRefs: [{ name: 'website-v1', port: 80, weight: 90 }, { name: 'website-v2', port: 80, weight: 10 }] }] },
  };
  const ingressRoute = {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop' },
    spec: { parentRefs: [{ name: 'shop-gateway' }], hostnames: ['shop.example.com'], rules: [{ backendRefs: [{ name: 'shop', port: 80 }] }] },
  };

  test('explain follows an HTTPRoute attached to the Service asked about when no VirtualService routes it in the mesh', () => {
    // GIVEN no VirtualService for the mesh, but an HTTPRoute on the Service
    const manifests = [...tutorial(), meshSplit];
    // WHEN an in-mesh request is explained
    const e = explain(manifests, { gateway: 'mesh', host: 'website' });
    // THEN the route's weights are the shares, and its backends, not defined here, answer 500
    expect(e.httpRoute).toEqual({ kind: 'HTTPRoute', namespace: 'default', name: 'website-split' });
    expect(e.virtualService).toBeUndefined();
    expect(e.warnings).toEqual([]);
    expect(formatExplanation(e)).toBe([
      'request: GET /, host website, via mesh',
      'matched: HTTPRoute default/website-split, rule 1: every request',
      '   90% -> website-v1.default.svc.cluster.local -> Service not defined: 500',
      '   10% -> website-v2.default.svc.cluster.local -> Service not defined: 500',
      '',
    ].join('\n'));
    // A route on another port of the Service does not apply.
    expect(explain(manifests, { gateway: 'mesh', host: 'website', port: 8080 }).httpRoute).toBeUndefined();
  });

  test('explain follows an HTTPRoute of the caller\'s namespace before a VirtualService exported everywhere, and says so', () => {
    // GIVEN a mesh VirtualService and an HTTPRoute for one Service, both of namespace default
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] }), meshSplit];
    // WHEN an in-mesh request from namespace default is explained
    const e = explain(manifests, { gateway: 'mesh', host: 'website' });
    // THEN the route answers (pilot puts the consumer namespace's routes first), and the warning says why
    expect(e.httpRoute?.name).toBe('website-split');
    expect(e.virtualService).toBeUndefined();
    expect(e.warnings).toEqual(['VirtualService default/vs also routes host website.default.svc.cluster.local, but HTTPRoute default/website-split applies for a caller in namespace default: Istio puts the routes of the caller\'s namespace (default) before VirtualService default/vs, which is exported to every namespace']);
    expect(formatExplanation(e)).toContain('\nwarning: VirtualService default/vs also routes');
  });

  test('explain follows a VirtualService exported to the caller\'s namespace by name before an HTTPRoute', () => {
    // GIVEN a VirtualService exported to default only
    const vs = virtualService('vs', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] });
    vs.spec.exportTo = ['.'];
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), vs, meshSplit];
    // WHEN
    const e = explain(manifests, { gateway: 'mesh', host: 'website' });
    // THEN
    expect(e.virtualService?.name).toBe('vs');
    expect(e.warnings).toEqual(['HTTPRoute default/website-split is also attached to Service website.default.svc.cluster.local; for a caller in namespace default, VirtualService default/vs is exported to namespace default by name (exportTo), which puts it before the routes made of HTTPRoutes']);
  });

  test('explain says that the order is not known for a caller of another namespace, and follows the VirtualService', () => {
    // GIVEN a public VirtualService and an HTTPRoute of default, and a caller in namespace shop
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] }), meshSplit];
    // WHEN
    const e = explain(manifests, { gateway: 'mesh', host: 'website.default', fromNamespace: 'shop' });
    // THEN
    expect(e.virtualService?.name).toBe('vs');
    expect(e.warnings).toEqual(['HTTPRoute default/website-split is also attached to Service website.default.svc.cluster.local; for a caller in namespace shop, Istio applies whichever was created first, which manifests do not tell: explain follows VirtualService default/vs']);
  });

  test('explain follows the consumer namespace\'s HTTPRoute for its callers, and leaves out a third namespace\'s', () => {
    // GIVEN routes on Service website of default from default, shop and blog
    const of = (ns: string, subset: string) => ({ ...meshSplit, metadata: { name: `from-${ns}`, namespace: ns },
      spec: { parentRefs: [{ group: '', kind: 'Service', name: 'website', namespace: 'default', port: 80 }], rules: [{ backendRefs: [{ name: `website-${subset}`, namespace: 'default', port: 80 }] }] } });
    const grant = { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'all', namespace: 'default' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }, { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'blog' }], to: [{ group: '', kind: 'Service' }] } };
    const manifests = [...tutorial(), of('default', 'v1'), of('shop', 'v2'), of('blog', 'v3'), grant];
    // WHEN
    const shop = explain(manifests, { gateway: 'mesh', host: 'website.default', fromNamespace: 'shop' });
    const home = explain(manifests, { gateway: 'mesh', host: 'website' });
    // THEN
    expect(shop.httpRoute?.name).toBe('from-shop');
    expect(shop.warnings).toEqual([
      'HTTPRoute default/from-default is also attached to Service website.default.svc.cluster.local, but for a caller in namespace shop Istio applies HTTPRoute shop/from-shop, of the caller\'s namespace, first',
      'HTTPRoute blog/from-blog is attached to Service website.default.svc.cluster.local but does not apply to a caller in namespace shop: Istio applies a mesh route only to callers of the route\'s namespace or of the Service\'s',
    ]);
    expect(home.httpRoute?.name).toBe('from-default');
  });

  test('explain says which of the HTTPRoutes of one namespace with different parentRef ports it follows', () => {
    // GIVEN a route with port 80 and one without port
    const noPort = { ...meshSplit, metadata: { name: 'any-port' }, spec: { parentRefs: [{ group: '', kind: 'Service', name: 'website' }], rules: [{ backendRefs: [{ name: 'website', port: 80 }] }] } };
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), meshSplit, noPort];
    // WHEN
    const e = explain(manifests, { gateway: 'mesh', host: 'website' });
    // THEN only one of them routes, not both merged
    expect(e.httpRoute?.name).toBe('website-split');
    expect(e.warnings).toEqual(['the routes of namespace default attached to Service website.default.svc.cluster.local name different parentRef ports (80, none): istiod makes one VirtualService of each, and applies the one created first, which manifests do not tell; explain follows HTTPRoute default/website-split']);
  });

  test('explain does not warn about an HTTPRoute that only mirrors copies to the Service asked about, or sends to it', () => {
    // GIVEN a mesh VirtualService for website, and a route of another Service that mirrors to website
    const vs = virtualService('vs', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] });
    const mirroring = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'api-copies' },
      spec: { parentRefs: [{ group: '', kind: 'Service', name: 'api', port: 80 }], rules: [{ backendRefs: [{ name: 'website', port: 80 }], filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'website', port: 80 } } }] }] },
    };
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), vs, mirroring];
    // WHEN / THEN a route of Service api does not route requests for website
    expect(explain(manifests, { gateway: 'mesh', host: 'website' }).warnings).toEqual([]);
  });

  test.skipIf(ISTIO_SAMPLES === undefined)('explain answers Istio\'s bookinfo route-reviews-90-10 in the mesh: 90% reviews-v1, 10% reviews-v2, with their pods', () => {
    // GIVEN bookinfo, its version Services and the GAMMA route
    const files = [['platform', 'kube', 'bookinfo.yaml'], ['platform', 'kube', 'bookinfo-versions.yaml'], ['gateway-api', 'route-reviews-90-10.yaml']];
    const manifests = files.map((f) => bookinfo(...f)).flatMap((file) => parseManifestText(readFileSync(file, 'utf8'), file));
    // WHEN
    const e = explain(manifests, { gateway: 'mesh', host: 'reviews' });
    // THEN
    expect(e.httpRoute?.name).toBe('reviews');
    expect(e.destinations.map((d) => [d.percent, d.host, d.workloads.map((w) => `${w.ref.name} ${w.replicas}`)])).toEqual([
      [90, 'reviews-v1.default.svc.cluster.local', ['reviews-v1 1']],
      [10, 'reviews-v2.default.svc.cluster.local', ['reviews-v2 1']],
    ]);
  });

  test('explain warns about a Gateway API Gateway or route whose hostnames take the host, and not about others', () => {
    const manifests = [...tutorial(), apiGateway, ingressRoute];
    expect(explain(manifests, { gateway: 'website-gateway', host: 'shop.example.com' }).warnings.map((w) => w.split(' (')[0])).toEqual([
      'Gateway API Gateway default/shop-gateway', 'HTTPRoute default/shop',
    ]);
    expect(explain(manifests, { gateway: 'mesh', host: 'website' }).warnings).toEqual([]);
    const named = { ...apiGateway, spec: { ...apiGateway.spec, listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostname: 'blog.example.com' }] } };
    expect(explain([...tutorial(), named, ingressRoute], { gateway: 'website-gateway', host: 'www.example.com' }).warnings).toEqual([]);
  });

  test('fails with a message that names the Gateway API Gateways when there is no Istio Gateway and several of them', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'Gateway'), apiGateway, { ...apiGateway, metadata: { name: 'blog-gateway' } }];
    expect(() => explain(manifests)).toThrow('the manifests define no Istio Gateway (networking.istio.io) and 2 Gateway API Gateways (default/shop-gateway, default/blog-gateway): pass --gateway NAME or --gateway mesh');
    expect(() => explain(manifests, { gateway: 'other' })).toThrow('no Gateway "other" in the manifests (they define default/shop-gateway (Gateway API), default/blog-gateway (Gateway API)); use mesh for in-mesh requests');
  });

  describe('through a Gateway API Gateway', () => {
    const backend = (name: string) => [service(name), deployment(name, { app: name })];
    const rule = (name: string, matches?: any[]) => ({ ...(matches ? { matches } : {}), backendRefs: [{ name, port: 80 }] });
    const shopRoute = (name: string, rules: any[], extra: any = {}) => ({ ...ingressRoute, metadata: { name }, spec: { ...ingressRoute.spec, rules, ...extra } });
    const base = [apiGateway, ...backend('exact'), ...backend('long'), ...backend('short'), ...backend('method'), ...backend('headers'), ...backend('query')];

    test('explain takes the only Gateway API Gateway and follows the HTTPRoute attached to it for the host', () => {
      // GIVEN no Istio Gateway
      const manifests = [...base, shopRoute('shop', [rule('short')])];
      // WHEN
      const e = explain(manifests, { host: 'shop.example.com' });
      // THEN
      expect(formatExplanation(e)).toBe([
        'request: GET /, host shop.example.com, via default/shop-gateway',
        'matched: HTTPRoute default/shop, rule 1: every request',
        '  100% -> short.default.svc.cluster.local -> Deployment default/short (1 pod)',
        '',
      ].join('\n'));
      // Another host: no route takes it.
      expect(explain(manifests, { host: 'blog.example.com' }).notes).toEqual(['no HTTPRoute or GRPCRoute attached to default/shop-gateway takes host blog.example.com: the request is answered 404']);
      // Without a host, the only route's host.
      expect(explain(manifests).request.host).toBe('shop.example.com');
    });

    test('explain orders matches as the spec does: exact path, longest prefix, method, most headers, most query parameters, then by route name', () => {
      // GIVEN matches of every kind spread over two routes, the more specific ones last
      const manifests = [...base,
        shopRoute('b-route', [
          rule('short', [{ path: { type: 'PathPrefix', value: '/shop' } }]),
          rule('query', [{ path: { type: 'PathPrefix', value: '/shop/cart' }, queryParams: [{ name: 'v', value: '2' }] }]),
          rule('headers', [{ path: { type: 'PathPrefix', value: '/shop/cart' }, headers: [{ name: 'X-User', value: 'qa' }] }]),
        ]),
        shopRoute('a-route', [
          rule('method', [{ path: { type: 'PathPrefix', value: '/shop/cart' }, method: 'POST' }]),
          rule('long', [{ path: { type: 'PathPrefix', value: '/shop/cart' } }]),
          rule('exact', [{ path: { type: 'Exact', value: '/shop/cart' } }]),
        ]),
      ];
      const via = (path: string, extra: object = {}) => explain(manifests, { host: 'shop.example.com', path, ...extra }).destinations.map((d) => d.host.split('.')[0]);
      // WHEN / THEN
      expect(via('/shop/cart', { method: 'POST', headers: { 'x-user': 'qa' } })).toEqual(['exact']);
      expect(via('/shop/cart/1', { method: 'POST', headers: { 'x-user': 'qa' } })).toEqual(['method']);
      expect(via('/shop/cart/1?v=2', { headers: { 'x-user': 'qa' } })).toEqual(['headers']);
      expect(via('/shop/cart/1?v=2')).toEqual(['query']);
      expect(via('/shop/cart/1')).toEqual(['long']);
      // A prefix matches whole segments only.
      expect(via('/shop/cartoon')).toEqual(['short']);
      expect(explain(manifests, { host: 'shop.example.com', path: '/blog' }).notes).toEqual(['no rule of HTTPRoutes default/b-route, default/a-route matches: the request is answered 404']);
      // Equal matches: the route first by name.
      const tie = [...base, shopRoute('b', [rule('short')]), shopRoute('a', [rule('long')])];
      expect(explain(tie, { host: 'shop.example.com' }).httpRoute?.name).toBe('a');
    });

    test('explain leaves out a route of another namespace than the Gateway unless its listener allows all namespaces', () => {
      // GIVEN a route in namespace shop on a Gateway of namespace default
      const route = { ...shopRoute('shop', [rule('short')]), metadata: { name: 'shop', namespace: 'shop' } };
      route.spec.parentRefs = [{ name: 'shop-gateway', namespace: 'default' }];
      route.spec.rules = [{ backendRefs: [{ name: 'short', namespace: 'default', port: 80 }] }];
      const all = { ...apiGateway, spec: { ...apiGateway.spec, listeners: [{ ...apiGateway.spec.listeners[0], allowedRoutes: { namespaces: { from: 'All' } } }] } };
      // WHEN / THEN
      expect(explain([...base, route], { host: 'shop.example.com' }).httpRoute).toBeUndefined();
      expect(explain([...base.slice(1), all, route], { host: 'shop.example.com' }).httpRoute?.name).toBe('shop');
    });
  });

  test('diagram draws Gateway API Gateways and HTTPRoutes: parents, rules with their matches, weighted backends and their pods', () => {
    // GIVEN a Gateway with an ingress route, a mesh route given twice, and a route of a kind not drawn
    const tcp = { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 'db' }, spec: {} };
    const shopRoute = { ...ingressRoute, spec: { ...ingressRoute.spec, rules: [{ name: 'cart', matches: [{ path: { type: 'Exact', value: '/cart' } }, { headers: [{ name: 'qa', value: 'yes' }] }], backendRefs: [{ name: 'shop', port: 80 }] }] } };
    const manifests = [...tutorial(), apiGateway, shopRoute, meshSplit, meshSplit, tcp, service('shop'), deployment('shop', { app: 'shop' })];
    // WHEN
    const diagram = mermaidDiagram(manifests);
    // THEN
    const node = (text: string) => diagram.match(new RegExp(`\\n {2}(n\\d+)${text}\\n`))?.[1];
    const gw = node('\\[/"Gateway API Gateway default/shop-gateway"/\\]');
    const shop = node('\\["HTTPRoute default/shop<br/>hostnames: shop\\.example\\.com"\\]');
    const cart = node('\\{"rule 1 cart<br/>path exactly #quot;/cart#quot; or header qa exactly #quot;yes#quot;"\\}');
    const shopService = node('\\["any pod<br/>shop\\.default\\.svc\\.cluster\\.local"\\]');
    const pods = node('\\[\\("Deployment default/shop<br/>1 replica"\\)\\]');
    expect([gw, shop, cart, shopService, pods].every((n) => n !== undefined)).toBe(true);
    expect(diagram).toContain(`\n  ${gw} --> ${shop}\n`);
    expect(diagram).toContain(`\n  ${shop} --> ${cart}\n`);
    expect(diagram).toContain(`\n  ${cart} -->|100%| ${shopService}\n`);
    expect(diagram).toContain(`\n  ${shopService} --> ${pods}\n`);
    // The mesh route: from the Service, 90% and 10% to Services not defined (500); drawn once.
    const mesh = node('\\(\\("mesh<br/>Service default/website"\\)\\)');
    expect(mesh).toBeDefined();
    expect(diagram.match(/\["HTTPRoute default\/website-split/g)).toHaveLength(1);
    expect(diagram).toMatch(/\n {2}n(\d+)>"Service not defined: website-v1\.default\.svc\.cluster\.local<br\/>500"\]\n {2}n\d+ -->\|90%\| n\1\n/);
    expect(diagram).toMatch(/-->\|10%\| n\d+/);
    expect(diagram).not.toContain('HTTPRoute default/shop is not drawn');
    expect(diagram).toContain('>"warning: TCPRoute default/db is not drawn<br/>TCPRoutes are not modelled: routing may differ"]');
  });
});

describe('explain and TCP or TLS rules', () => {
  test('says that a VirtualService with only TCP or TLS rules is not followed, instead of answering 404', () => {
    const vs = virtualService('db', [], { hosts: ['website'], gateways: ['mesh'] });
    delete vs.spec.http;
    vs.spec.tcp = [{ route: [route('website')] }];
    const e = explain([...tutorial(), vs], { gateway: 'mesh', host: 'website' });
    expect(e.notes).toEqual(['VirtualService default/db has only TCP or TLS rules, which explain does not follow (it explains HTTP requests)']);
    expect(e.destinations).toEqual([]);
  });
});

describe('explain through an Istio Gateway routes among the virtual host istiod builds from every bound VirtualService', () => {
  /** Services shop and api of namespace shop, Gateway shop/public for `serverHosts` on port 80, and the VirtualServices given. */
  const shop = (serverHosts: string[], ...virtualServices: any[]) => [
    service('shop', { ns: 'shop' }), deployment('shop', { app: 'shop' }, { ns: 'shop' }),
    service('api', { ns: 'shop' }), deployment('api', { app: 'api' }, { ns: 'shop' }),
    gateway('public', serverHosts, { ns: 'shop' }),
    ...virtualServices,
  ];
  const vs = (name: string, hosts: string[], http: any[]) => virtualService(name, http, { ns: 'shop', hosts, gateways: ['public'] });
  const catchAll = (name: string, hosts = ['shop.example.com']) => vs(name, hosts, [{ route: [route('shop')] }]);
  const api = (name: string) => vs(name, ['shop.example.com'], [{ match: [{ uri: { prefix: '/api' } }], route: [route('api')] }]);
  const ask = (manifests: any[], path: string) => explain(manifests, { host: 'shop.example.com', path });

  test('sends /api to the /api VirtualService and the rest to the catch-all one, whichever comes first', () => {
    // GIVEN a catch-all VirtualService and an /api one for the same host, in both orders
    for (const manifests of [shop(['shop.example.com'], catchAll('frontend'), api('api')), shop(['shop.example.com'], api('api'), catchAll('frontend'))]) {
      // WHEN
      const toApi = ask(manifests, '/api/orders');
      const toShop = ask(manifests, '/cart');

      // THEN the catch-all route goes last in the virtual host, as pilot's SortVHostRoutes puts it
      expect(toApi.virtualService?.name).toBe('api');
      expect(toApi.rule).toEqual({ number: 1, matchedBy: 'uri starting with "/api"' });
      expect(toApi.destinations.map((d) => d.host)).toEqual(['api.shop.svc.cluster.local']);
      expect(toShop.virtualService?.name).toBe('frontend');
      expect(toShop.destinations.map((d) => d.host)).toEqual(['shop.shop.svc.cluster.local']);
    }
  });

  test('a VirtualService for host * joins the virtual host of the server\'s host, after the routes of the exact one', () => {
    // GIVEN a catch-all VirtualService for * and an /api one for the server's host
    const manifests = shop(['shop.example.com'], catchAll('default-route', ['*']), api('api'));

    // THEN both serve shop.example.com: the catch-all takes what /api does not
    expect(ask(manifests, '/').virtualService?.name).toBe('default-route');
    expect(ask(manifests, '/api').virtualService?.name).toBe('api');
  });

  test('leaves out the rules of a VirtualService after its catch-all rule, as pilot does, before moving the catch-all last', () => {
    // GIVEN a VirtualService whose /api rule comes after its catch-all, and another VirtualService with a /api/v2 rule
    const first = vs('first', ['shop.example.com'], [{ route: [route('shop')] }, { match: [{ uri: { prefix: '/api' } }], route: [route('shop')] }]);
    const second = vs('second', ['shop.example.com'], [{ match: [{ uri: { prefix: '/api/v2' } }], route: [route('api')] }]);

    // WHEN
    const e = ask(shop(['*'], first, second), '/api/v2/orders');

    // THEN the second's rule comes before the first's catch-all, and the first's /api rule is not there
    expect(e.virtualService?.name).toBe('second');
    expect(e.rule?.number).toBe(1);
  });

  test('keeps in place a rule that tests a header or the method besides the path /', () => {
    // GIVEN a first VirtualService that routes GET / with a header, a second with a catch-all
    const first = vs('first', ['shop.example.com'], [{ match: [{ uri: { prefix: '/' }, headers: { env: { exact: 'qa' } } }], route: [route('api')] }]);
    const second = catchAll('second');

    // WHEN / THEN the header rule stays first
    expect(explain(shop(['*'], second, first), { host: 'shop.example.com', headers: { env: 'qa' } }).virtualService?.name).toBe('first');
  });

  test('fails if no rule of any VirtualService of the virtual host matches, and names them all', () => {
    // GIVEN two VirtualServices for the host, neither with a catch-all
    const manifests = shop(['shop.example.com'], api('api'), vs('static', ['shop.example.com'], [{ match: [{ uri: { prefix: '/static' } }], route: [route('shop')] }]));

    // WHEN
    const e = ask(manifests, '/cart');

    // THEN
    expect(e.rule).toBeUndefined();
    expect(e.virtualService?.name).toBe('api');
    expect(e.notes).toEqual(['no rule of VirtualServices shop/api, shop/static matches: the request is answered 404']);
  });

  test('picks the most specific virtual host for the request\'s host, and routes only among its routes', () => {
    // GIVEN a catch-all for *.example.com and an /api VirtualService for shop.example.com
    const manifests = shop(['*.example.com'], catchAll('wild', ['*.example.com']), api('api'));

    // THEN shop.example.com has its own virtual host, with the /api routes only: the wildcard's catch-all does not reach it
    const cart = ask(manifests, '/cart');
    expect(cart.rule).toBeUndefined();
    expect(cart.notes).toEqual(['no rule of VirtualService shop/api matches: the request is answered 404']);
    expect(explain(manifests, { host: 'www.example.com', path: '/api' }).virtualService?.name).toBe('wild');
    expect(ask(manifests, '/api').virtualService?.name).toBe('api');
  });

  test('fails if no server of the Gateway takes the host, even where a VirtualService for * would', () => {
    // GIVEN a Gateway for shop.example.com only and a VirtualService for every host
    const manifests = shop(['shop.example.com'], catchAll('everything', ['*']));

    // WHEN
    const e = explain(manifests, { host: 'other.example.com' });

    // THEN the gateway answers 404
    expect(e.virtualService).toBeUndefined();
    expect(e.destinations).toEqual([]);
    expect(e.notes).toEqual(['VirtualService shop/everything takes host other.example.com, but no server of Gateway shop/public on port 80 takes it for namespace shop (shop.example.com): the gateway answers 404']);
    expect(ask(manifests, '/').virtualService?.name).toBe('everything');
  });

  test('fails if the server\'s hosts are for another namespace than the VirtualService\'s', () => {
    // GIVEN a Gateway whose server takes istio-system/*, and a VirtualService of namespace shop
    const manifests = shop(['istio-system/*'], catchAll('frontend'));

    // WHEN
    const e = ask(manifests, '/');

    // THEN
    expect(e.rule).toBeUndefined();
    expect(e.notes).toEqual(['VirtualService shop/frontend takes host shop.example.com, but no server of Gateway shop/public on port 80 takes it for namespace shop (istio-system/*): the gateway answers 404']);
    expect(ask(shop(['shop/*'], catchAll('frontend')), '/').virtualService?.name).toBe('frontend');
  });

  describe('a server with tls.httpsRedirect', () => {
    /** shop.example.com on port 80 (redirecting, also for old.example.com, which no VirtualService serves) and on 443. */
    const redirecting = () => {
      const manifests = shop(['shop.example.com'], catchAll('frontend'));
      const gw = manifests.find((m) => m.kind === 'Gateway');
      gw.spec.servers = [
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com', 'old.example.com'], tls: { httpsRedirect: true } },
        { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-cert' } },
      ];
      return manifests;
    };

    test('answers a plain-HTTP request with a 301 to https before any route', () => {
      // WHEN
      const e = explain(redirecting(), { host: 'shop.example.com', port: 80, path: '/cart?id=7' });

      // THEN
      expect(e.redirect).toEqual({ status: 301, location: 'https://shop.example.com/cart?id=7' });
      expect(e.rule).toBeUndefined();
      expect(e.destinations).toEqual([]);
      expect(e.notes).toEqual(['the server of Gateway shop/public on port 80 sets tls.httpsRedirect for host shop.example.com: every plain-HTTP request is answered with a 301 redirect to https://shop.example.com/cart?id=7, before any route']);
    });

    test('redirects a host of the server that no VirtualService serves too', () => {
      expect(explain(redirecting(), { host: 'old.example.com', port: 80, path: '/' }).redirect).toEqual({ status: 301, location: 'https://old.example.com/' });
    });

    test('routes the request on the HTTPS port, and says the port decides when it is not given', () => {
      expect(explain(redirecting(), { host: 'shop.example.com', port: 443 }).virtualService?.name).toBe('frontend');
      const unknownPort = explain(redirecting(), { host: 'shop.example.com' });
      expect(unknownPort.redirect).toBeUndefined();
      expect(unknownPort.notes).toContain('a server of Gateway shop/public on port 80 sets tls.httpsRedirect for host shop.example.com: a plain-HTTP request there is answered with a 301 redirect to https (give the port the request comes to)');
    });
  });

  test('completes a short VirtualService host with its namespace, as pilot does for gateways too', () => {
    // GIVEN a Gateway for *.shop.svc.cluster.local and a VirtualService of namespace shop for host shop
    const manifests = shop(['*.shop.svc.cluster.local'], catchAll('frontend', ['shop']));

    // WHEN / THEN
    expect(explain(manifests, { host: 'shop.shop.svc.cluster.local' }).virtualService?.name).toBe('frontend');
    expect(explain(manifests, {}).request.host).toBe('shop.shop.svc.cluster.local');
  });

  test('keeps a regex case-sensitive under ignoreUriCase, and reaches the exact rule after it', () => {
    // GIVEN a regex rule with ignoreUriCase, then an exact /API/v1 rule
    const manifests = shop(['shop.example.com'], vs('shop', ['shop.example.com'], [
      { match: [{ uri: { regex: '/api/.*' }, ignoreUriCase: true }], route: [route('api')] },
      { match: [{ uri: { exact: '/API/v1' } }], route: [route('shop')] },
    ]));

    // WHEN / THEN
    expect(ask(manifests, '/API/v1').rule?.number).toBe(2);
    expect(ask(manifests, '/api/v1').rule?.number).toBe(1);
  });

  test('resolves a match\'s gateways in the VirtualService\'s namespace, and leaves out its source labels then', () => {
    // GIVEN Gateways istio-system/public and shop/public, and a VirtualService of shop bound to both whose /admin rule names "public"
    const manifests = [
      ...shop(['shop.example.com']),
      gateway('public', ['*/shop.example.com'], { ns: 'istio-system' }),
      virtualService('shop', [
        { match: [{ gateways: ['public'], sourceLabels: { app: 'admin-console' }, uri: { prefix: '/admin' } }], route: [route('api')] },
        { route: [route('shop')] },
      ], { ns: 'shop', hosts: ['shop.example.com'], gateways: ['istio-system/public', 'public'] }),
    ];

    // WHEN
    const viaIstioSystem = explain(manifests, { gateway: 'istio-system/public', host: 'shop.example.com', path: '/admin' });
    const viaShop = explain(manifests, { gateway: 'shop/public', host: 'shop.example.com', path: '/admin' });

    // THEN "public" is shop/public only, and its sourceLabels do not count
    expect(viaIstioSystem.rule?.number).toBe(2);
    expect(viaShop.rule?.number).toBe(1);
    expect(viaShop.notes).toEqual([]);
  });

  test('binds a VirtualService that names its Gateway in the legacy form name.namespace.svc.cluster.local', () => {
    // GIVEN Gateway istio-system/public and a VirtualService of shop naming it public.istio-system.svc.cluster.local
    const manifests = [
      ...shop(['shop.example.com']),
      gateway('public', ['*/shop.example.com'], { ns: 'istio-system' }),
      virtualService('legacy', [{ route: [route('shop')] }], { ns: 'shop', hosts: ['shop.example.com'], gateways: ['public.istio-system.svc.cluster.local'] }),
    ];

    // WHEN / THEN
    expect(explain(manifests, { gateway: 'istio-system/public', host: 'shop.example.com' }).virtualService?.name).toBe('legacy');
  });
});

describe('explain matches the request\'s Host as the proxy does', () => {
  /** Service website (port 80) and a mesh VirtualService that sends port 8080 to version-2, the rest to version-1. */
  const mesh = () => [
    ...tutorial().filter((m) => m.kind !== 'VirtualService'),
    virtualService('vs', [{ match: [{ port: 8080 }], route: [route('website', 'version-2')] }, { route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] }),
  ];

  test('ignores the port and the case of the Host in the mesh, and takes the Host\'s port as the request\'s', () => {
    // GIVEN / WHEN
    const withPort = explain(mesh(), { gateway: 'mesh', host: 'website:8080' });
    const upper = explain(mesh(), { gateway: 'mesh', host: 'WebSite' });

    // THEN
    expect(withPort.virtualService?.name).toBe('vs');
    expect(withPort.request).toMatchObject({ host: 'website', port: 8080, authority: 'website:8080' });
    expect(withPort.rule?.number).toBe(1);
    expect(formatExplanation(withPort)).toContain('host website (Host website:8080), via mesh');
    expect(upper.virtualService?.name).toBe('vs');
    expect(upper.rule?.number).toBe(2);
  });

  test('keeps the port given over the one of the Host', () => {
    expect(explain(mesh(), { gateway: 'mesh', host: 'website:8080', port: 80 }).rule?.number).toBe(2);
  });

  test('takes a fully qualified Service name with a trailing dot in the mesh, but not a short one', () => {
    // GIVEN / WHEN
    const absolute = explain(mesh(), { gateway: 'mesh', host: 'website.default.svc.cluster.local.' });
    const short = explain(mesh(), { gateway: 'mesh', host: 'website.default.' });

    // THEN pilot gives only the Service's full host a domain with a trailing dot
    expect(absolute.virtualService?.name).toBe('vs');
    expect(short.virtualService).toBeUndefined();
  });

  test('ignores the port and the case of the Host through an Istio Gateway, and tests authority on the Host as sent', () => {
    // GIVEN a Gateway for shop.example.com, and a rule for an authority with a port
    const manifests = [
      ...tutorial().filter((m) => m.kind !== 'VirtualService' && m.kind !== 'Gateway'),
      gateway('website-gateway', ['shop.example.com']),
      virtualService('vs', [
        { match: [{ authority: { exact: 'Shop.example.com:80' } }], route: [route('website', 'version-2')] },
        { route: [route('website', 'version-1')] },
      ], { hosts: ['shop.example.com'] }),
    ];

    // WHEN
    const e = explain(manifests, { host: 'Shop.example.com:80' });

    // THEN
    expect(e.virtualService?.name).toBe('vs');
    expect(e.rule?.number).toBe(1);
    expect(explain(manifests, { host: 'shop.EXAMPLE.com' }).rule?.number).toBe(2);
  });

  test('fails if the Host through an Istio Gateway ends with a dot: a gateway\'s virtual hosts have no such domain', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService' && m.kind !== 'Gateway'), gateway('website-gateway', ['shop.example.com']),
      virtualService('vs', [{ route: [route('website', 'version-1')] }], { hosts: ['shop.example.com'] })];
    expect(explain(manifests, { host: 'shop.example.com.' }).rule).toBeUndefined();
  });
});

describe('explain matches pseudo-headers', () => {
  test('routes by :method and :authority in the mesh, where the scheme is http', () => {
    // GIVEN rules on :method, :authority and :scheme
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [
      { match: [{ headers: { ':method': { exact: 'POST' } } }], route: [route('website', 'version-2')] },
      { match: [{ headers: { ':authority': { prefix: 'website:' } } }], route: [route('website', 'version-2')] },
      { match: [{ headers: { ':scheme': { exact: 'https' } } }], route: [route('website', 'version-2')] },
      { route: [route('website', 'version-1')] },
    ], { hosts: ['website'], gateways: ['mesh'] })];

    // WHEN / THEN
    expect(explain(manifests, { gateway: 'mesh', host: 'website', method: 'POST' }).rule?.number).toBe(1);
    expect(explain(manifests, { gateway: 'mesh', host: 'website:80' }).rule?.number).toBe(2);
    const plain = explain(manifests, { gateway: 'mesh', host: 'website' });
    expect(plain.rule?.number).toBe(4);
    expect(plain.notes).toEqual([]);
  });

  test('takes the scheme of the Gateway\'s server for :scheme', () => {
    // GIVEN an HTTPS server and a rule on :scheme https
    const gw = gateway('website-gateway');
    gw.spec.servers = [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'cert' } }];
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService' && m.kind !== 'Gateway'), gw, virtualService('vs', [
      { match: [{ headers: { ':scheme': { exact: 'https' } } }], route: [route('website', 'version-2')] },
      { route: [route('website', 'version-1')] },
    ])];

    // WHEN / THEN
    expect(explain(manifests).rule?.number).toBe(1);
  });
});

describe('explain applies http rules only on ports Istio takes as HTTP', () => {
  /** Service website with the port given, its pods, and a mesh VirtualService with the rules given. */
  const mesh = (port: object, rules: { http?: any[]; tcp?: any[] }) => {
    const vs = virtualService('vs', rules.http ?? [], { hosts: ['website'], gateways: ['mesh'] });
    vs.spec.tcp = rules.tcp;
    return [...tutorial().filter((m) => m.kind !== 'VirtualService' && m.kind !== 'Service'), service('website', { selector: { app: 'website' }, ports: [port] }), vs];
  };

  test('says that a TCP port gets no http rule, and that connections are balanced over every pod', () => {
    // GIVEN a port named tcp-web and an http rule
    const manifests = mesh({ name: 'tcp-web', port: 80 }, { http: [{ route: [route('website', 'version-2')] }] });

    // WHEN
    const e = explain(manifests, { gateway: 'mesh', host: 'website' });

    // THEN
    expect(e.rule).toBeUndefined();
    expect(e.nonHttp).toEqual({ port: 80, protocol: 'TCP' });
    expect(e.destinations).toEqual([]);
    expect(e.notes[0]).toBe('port 80 of Service default/website is named "tcp-web", so Istio takes it as TCP, not HTTP: it proxies connections there and no http rule applies');
    expect(e.notes[1]).toMatch(/^VirtualService default\/vs has no tcp rule, so connections are balanced over every pod of the Service \(Deployment default\/web-v1/);
  });

  test('says that the tcp rules route the connections to a port whose appProtocol is tcp', () => {
    // GIVEN
    const manifests = mesh({ name: 'http', appProtocol: 'tcp', port: 80 }, { http: [{ route: [route('website', 'version-2')] }], tcp: [{ route: [route('website', 'version-1')] }] });

    // WHEN
    const e = explain(manifests, { gateway: 'mesh', host: 'website' });

    // THEN
    expect(e.notes).toEqual([
      'port 80 of Service default/website has appProtocol "tcp", so Istio takes it as TCP, not HTTP: it proxies connections there and no http rule applies',
      'the tcp or tls rules of VirtualService default/vs route these connections, which explain does not follow (it explains HTTP requests)',
    ]);
  });

  test('applies http rules on a port whose protocol Istio sniffs', () => {
    const manifests = mesh({ name: 'web', port: 80 }, { http: [{ route: [route('website', 'version-2')] }] });
    expect(explain(manifests, { gateway: 'mesh', host: 'website' }).rule?.number).toBe(1);
  });
});

describe('explain follows a delegate VirtualService as istiod merges it', () => {
  /** A VirtualService without hosts (and gateways): a delegate. */
  const delegateVs = (name: string, http: any[], opts: { ns?: string; exportTo?: string[] } = {}) => {
    const vs = virtualService(name, http, { gateways: null, ...(opts.ns !== undefined ? { ns: opts.ns } : {}) });
    delete vs.spec.hosts;
    if (opts.exportTo !== undefined) {
      vs.spec.exportTo = opts.exportTo;
    }
    return vs;
  };
  const withRoot = (rootRules: any[], ...others: any[]) => [...tutorial().filter((m) => m.kind !== 'VirtualService'), ...others, virtualService('root', rootRules)];

  test('routes by the delegate\'s rules, their matches merged with the root rule\'s, in the root rule\'s place', () => {
    // GIVEN a root whose /api rule delegates to api (rules /api/v2 and the rest), then a catch-all
    const manifests = withRoot([
      { name: 'api', match: [{ uri: { prefix: '/api' } }], delegate: { name: 'api' }, timeout: '3s' },
      { route: [route('website', 'version-1')] },
    ], delegateVs('api', [
      { name: 'v2', match: [{ uri: { prefix: '/api/v2' } }], route: [route('website', 'version-2')] },
      { route: [route('website', 'version-1')], rewrite: { uri: '/' } },
    ]));

    // WHEN
    const v2 = explain(manifests, { path: '/api/v2/items' });
    const api = explain(manifests, { path: '/api/items' });
    const other = explain(manifests, { path: '/v2' });

    // THEN the delegate's first rule takes /api/v2, its second the rest of /api (with the root's match), the root's next rule the rest
    expect(v2.virtualService?.name).toBe('root');
    expect(v2.rule).toEqual({ number: 1, name: 'api', matchedBy: 'uri starting with "/api/v2"' });
    expect(v2.delegate).toEqual({ virtualService: { kind: 'VirtualService', namespace: 'default', name: 'api' }, rule: { number: 1, name: 'v2' } });
    expect(v2.destinations.map((d) => d.subset)).toEqual(['version-2']);
    expect(formatExplanation(v2)).toContain('matched: VirtualService default/root, http rule 1 ("api"), delegated to VirtualService default/api, http rule 1 ("v2"): uri starting with "/api/v2"');
    expect(api.delegate?.rule).toEqual({ number: 2 });
    expect(api.rule?.matchedBy).toBe('uri starting with "/api"');
    expect(api.destinations.map((d) => d.subset)).toEqual(['version-1']);
    expect(api.notes).toContain('http rule 1 of VirtualService default/root (delegated to http rule 2 of VirtualService default/api) rewrites the request before it reaches its destinations: the matched path prefix (or the whole path of an exact match) to "/"');
    expect(other.rule?.number).toBe(2);
    expect(other.delegate).toBeUndefined();
  });

  test('takes the root rule\'s settings where the delegate\'s rule has none, and completes short hosts in the delegate\'s namespace', () => {
    // GIVEN a root in default that mirrors and rewrites, delegating to a rule of namespace shop that routes to "website"
    const manifests = withRoot([
      { match: [{ uri: { prefix: '/' } }], delegate: { name: 'shop', namespace: 'shop' }, rewrite: { uri: '/v1' }, mirror: { host: 'website', subset: 'version-2' } },
    ], delegateVs('shop', [{ route: [route('website', 'version-1')] }], { ns: 'shop' }));

    // WHEN
    const e = explain(manifests, { path: '/x' });

    // THEN
    expect(e.destinations.map((d) => d.host)).toEqual(['website.shop.svc.cluster.local']);
    expect(e.mirrors).toEqual([{ percent: 100, host: 'website.default.svc.cluster.local', subset: 'version-2' }]);
    expect(e.notes).toContain('http rule 1 of VirtualService default/root (delegated to http rule 1 of VirtualService shop/shop) rewrites the request before it reaches its destinations: the matched path prefix (or the whole path of an exact match) to "/v1"');
  });

  test('leaves out a delegate\'s rule whose match conflicts with the root rule\'s, and says so', () => {
    // GIVEN a root rule for /api delegating to a rule for /web (not under /api) and one for /api/v2
    const manifests = withRoot([{ match: [{ uri: { prefix: '/api' } }], delegate: { name: 'api' } }], delegateVs('api', [
      { match: [{ uri: { prefix: '/web' } }], route: [route('website', 'version-1')] },
      { match: [{ uri: { prefix: '/api/v2' } }], route: [route('website', 'version-2')] },
    ]));

    // WHEN
    const web = explain(manifests, { path: '/web' });

    // THEN
    expect(web.rule).toBeUndefined();
    expect(web.notes).toEqual([
      'http rule 1 of delegate VirtualService default/api has a match that conflicts with every match of http rule 1 of VirtualService default/root: Istio leaves it out of the merged rules',
      'no rule of VirtualService default/root matches: the request is answered 404',
    ]);
    expect(explain(manifests, { path: '/api/v2' }).delegate?.rule.number).toBe(2);
  });

  test('fails if the delegate has hosts or is not exported to the root\'s namespace: the root rule is left out', () => {
    // GIVEN a rule delegating to a VirtualService with hosts, one delegating to a delegate of shop exported only to shop, then a catch-all
    const withHosts = virtualService('with-hosts', [{ route: [route('website', 'version-2')] }], { hosts: ['other'], gateways: ['mesh'] });
    const manifests = withRoot([
      { match: [{ uri: { prefix: '/a' } }], delegate: { name: 'with-hosts' } },
      { match: [{ uri: { prefix: '/b' } }], delegate: { name: 'hidden', namespace: 'shop' } },
      { route: [route('website', 'version-1')] },
    ], withHosts, delegateVs('hidden', [{ route: [route('website', 'version-2')] }], { ns: 'shop', exportTo: ['.'] }));

    // WHEN
    const e = explain(manifests, { path: '/b' });

    // THEN the catch-all takes it
    expect(e.rule?.number).toBe(3);
    expect(e.notes).toEqual([
      'http rule 1 of VirtualService default/root delegates to VirtualService default/with-hosts, which has hosts, so it is not a delegate: Istio leaves the rule out',
      'http rule 2 of VirtualService default/root delegates to VirtualService shop/hidden, which is not exported to namespace default (exportTo shop): Istio leaves the rule out',
    ]);
    // Near miss: exported to default, the delegate takes it.
    const exported = withRoot([{ match: [{ uri: { prefix: '/b' } }], delegate: { name: 'hidden', namespace: 'shop' } }], delegateVs('hidden', [{ route: [route('website', 'version-2')] }], { ns: 'shop', exportTo: ['default'] }));
    expect(explain(exported, { path: '/b' }).delegate?.virtualService.name).toBe('hidden');
  });

  test('follows a delegate in the mesh too', () => {
    // GIVEN a root bound to the mesh delegating everything
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), delegateVs('api', [{ route: [route('website', 'version-2')] }]),
      virtualService('root', [{ delegate: { name: 'api' } }], { hosts: ['website'], gateways: ['mesh'] })];
    // WHEN
    const e = explain(manifests, { gateway: 'mesh', host: 'website' });
    // THEN
    expect(e.delegate?.virtualService.name).toBe('api');
    expect(e.destinations.map((d) => d.subset)).toEqual(['version-2']);
  });
});

describe('explain binds no delegate VirtualService', () => {
  test('takes the only VirtualService with hosts when no host is given, leaving out a delegate', () => {
    const manifests = tutorialWithDelegate();
    expect(explain(manifests, { gateway: 'mesh' }).virtualService?.name).toBe('root');
  });

  test('fails if explain without a host has several VirtualServices with hosts, and names only those', () => {
    const delegate = virtualService('api', [{ route: [route('website', 'version-2')] }], { gateways: null });
    delete delegate.spec.hosts;
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), delegate,
      virtualService('a', [{ route: [route('website')] }], { hosts: ['website'], gateways: ['mesh'] }),
      virtualService('b', [{ route: [route('website')] }], { hosts: ['other'], gateways: ['mesh'] })];
    expect(() => explain(manifests, { gateway: 'mesh' })).toThrow(ExplainError);
    expect(() => explain(manifests, { gateway: 'mesh' })).toThrow('2 VirtualServices are bound to mesh (default/a, default/b): pass --host');
  });
});

describe('explain in the mesh from the caller\'s namespace', () => {
  /** Service website of default with its pods, and the VirtualServices given. */
  const mesh = (...virtualServices: any[]) => [...tutorial().filter((m) => m.kind !== 'VirtualService'), ...virtualServices];
  const privateTo = (name: string, ns: string, subset: string) => {
    const vs = virtualService(name, [{ route: [route('website.default.svc.cluster.local', subset)] }], { ns, hosts: ['website.default.svc.cluster.local'], gateways: ['mesh'] });
    vs.spec.exportTo = ['.'];
    return vs;
  };

  test('applies a VirtualService exported only to its namespace to callers of that namespace only', () => {
    // GIVEN a VirtualService of namespace team, exported to team only
    const manifests = mesh(privateTo('team-view', 'team', 'version-2'));

    // WHEN / THEN
    expect(explain(manifests, { gateway: 'mesh', host: 'website.default', fromNamespace: 'team' }).virtualService?.name).toBe('team-view');
    expect(explain(manifests, { gateway: 'mesh', host: 'website.default' }).virtualService).toBeUndefined();
  });

  test('puts the caller\'s own VirtualService first, before one exported to every namespace', () => {
    // GIVEN a public VirtualService of default and a private one of team, for the same host
    const manifests = mesh(
      virtualService('public', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] }),
      privateTo('team-view', 'team', 'version-2'),
    );

    // WHEN / THEN
    expect(explain(manifests, { gateway: 'mesh', host: 'website.default', fromNamespace: 'team' }).virtualService?.name).toBe('team-view');
    expect(explain(manifests, { gateway: 'mesh', host: 'website' }).virtualService?.name).toBe('public');
  });

  test('resolves a short host in the caller\'s namespace, not in the VirtualService\'s', () => {
    // GIVEN a VirtualService of default for website
    const manifests = mesh(virtualService('public', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] }));

    // WHEN
    const e = explain(manifests, { gateway: 'mesh', host: 'website', fromNamespace: 'team' });

    // THEN website from team is website.team, which does not exist
    expect(e.virtualService).toBeUndefined();
    expect(e.request.fromNamespace).toBe('team');
    expect(formatExplanation(e)).toContain('request: GET /, host website, via mesh from namespace team');
    expect(e.notes).toEqual(['no VirtualService bound to mesh and visible in namespace team serves host website, and no Service or ServiceEntry is website.team.svc.cluster.local (a short host is a Service of the caller\'s namespace, team)']);
    expect(explain(manifests, { gateway: 'mesh', host: 'website.default', fromNamespace: 'team' }).virtualService?.name).toBe('public');
  });
});
