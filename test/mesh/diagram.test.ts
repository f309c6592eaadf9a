import { describe, expect, test } from 'vitest';
import { mermaidDiagram } from '../../lib/mesh/diagram';
import { deployment, gateway, route, service, tutorial, tutorialWithDelegate, tutorialStep4AsWritten, virtualService } from '../support/fixtures';

describe('mermaidDiagram', () => {
  test('draws the mesh as a gateway node, mirrors as dotted edges, and escapes quotes', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [
      { match: [{ headers: { qa: { exact: 'a"b' } } }], route: [route('website', 'version-2')] },
      { route: [route('website', 'version-1')], mirror: { host: 'website', subset: 'version-2' } },
    ], { hosts: ['website'], gateways: ['mesh'] })];
    const diagram = mermaidDiagram(manifests);
    expect(diagram).toContain('n0(("mesh"))');
    expect(diagram).toContain('header qa exactly #quot;a#quot;b#quot;');
    expect(diagram).toMatch(/n\d+ -\.->\|mirror\| n\d+/);
    // One node per subset and per Deployment, however many rules reach them.
    expect(diagram.match(/\["subset version-2/g)).toHaveLength(1);
    expect(diagram.match(/Deployment default\/web-v2/g)).toHaveLength(1);
  });

  test('is an empty flowchart without VirtualServices', () => {
    expect(mermaidDiagram([])).toBe('flowchart LR\n');
  });
});

describe('mermaidDiagram on what does not exist', () => {
  test('draws the tutorial step 4\'s undefined subset as a dead end (503), not as a subset', () => {
    // GIVEN the tutorial's step 4, whose header route names subset version-2 before it is defined
    const diagram = mermaidDiagram(tutorialStep4AsWritten());
    // THEN version-2 is drawn as missing, version-1 as a subset with its Deployment
    expect(diagram).toMatch(/n\d+>"subset version-2 not defined<br\/>website\.default\.svc\.cluster\.local<br\/>503"\]/);
    expect(diagram).not.toContain('["subset version-2');
    expect(diagram).toContain('["subset version-1<br/>website.default.svc.cluster.local"]');
  });

  test('draws an unknown host as a dead end', () => {
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [{ route: [route('webiste')] }])];
    expect(mermaidDiagram(manifests)).toMatch(/n\d+>"host not defined: webiste\.default\.svc\.cluster\.local<br\/>no Service or ServiceEntry<br\/>503"\]/);
  });
});

describe('mermaidDiagram and TCP or TLS rules', () => {
  test('draws TCP and TLS rules after the HTTP ones, with their kind', () => {
    const vs = virtualService('db', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] });
    vs.spec.tcp = [{ match: [{ port: 5432 }], route: [route('website', 'version-2')] }];
    vs.spec.tls = [{ match: [{ sniHosts: ['website'] }], route: [route('website', 'version-1')] }];
    const diagram = mermaidDiagram([...tutorial().filter((m) => m.kind !== 'VirtualService'), vs]);
    expect(diagram).toContain('{"rule 1<br/>every request"}');
    expect(diagram).toMatch(/n(\d+)\{"tcp rule 1<br\/>port 5432"\}\n {2}n\d+ --> n\1\n {2}n\d+\["subset version-2/);
    expect(diagram).toContain('{"tls rule 1<br/>sniHosts [#quot;website#quot;]"}');
  });
});

describe('mermaidDiagram and rules that answer by themselves', () => {
  const node = (diagram: string, text: string) => diagram.match(new RegExp(`\\n {2}(n\\d+)${text}\\n`))?.[1];

  test('draws a VirtualService redirect or direct response as a rounded answer node, and none of the rule\'s routes', () => {
    // GIVEN a redirect (beside a route Istio never takes), a direct response and a routing rule
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [
      { match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new', scheme: 'https' }, route: [route('website', 'version-2')] },
      { match: [{ uri: { prefix: '/gone' } }], directResponse: { status: 410 } },
      { route: [route('website', 'version-1')] },
    ])];
    // WHEN
    const diagram = mermaidDiagram(manifests);
    // THEN
    const redirectRule = node(diagram, '\\{"rule 1<br/>uri starting with #quot;/old#quot;"\\}');
    const redirect = node(diagram, '\\(\\["301 redirect<br/>https://#lt;host#gt;/new"\\]\\)');
    const goneRule = node(diagram, '\\{"rule 2<br/>uri starting with #quot;/gone#quot;"\\}');
    const gone = node(diagram, '\\(\\["direct response<br/>410"\\]\\)');
    expect([redirectRule, redirect, goneRule, gone].every((n) => n !== undefined)).toBe(true);
    expect(diagram).toContain(`\n  ${redirectRule} --> ${redirect}\n`);
    expect(diagram).toContain(`\n  ${goneRule} --> ${gone}\n`);
    // Near miss: the routing rule still reaches its subset; version-2, named only beside the redirect, is not drawn.
    const routing = node(diagram, '\\{"rule 3<br/>every request"\\}');
    expect(diagram).toMatch(new RegExp(`\n {2}${routing} -->\\|100%\\| n\\d+\n`));
    expect(diagram).not.toContain('subset version-2');
  });

  test('writes a VirtualService redirect\'s location with what its gateways and hosts tell: their scheme, their only port, its only host', () => {
    // GIVEN a VirtualService for one host on the tutorial's Gateway (HTTP on port 80), whose redirect keeps the scheme, host and port
    const redirecting = virtualService('vs', [{ redirect: { uri: '/new', derivePort: 'FROM_REQUEST_PORT' } }], { hosts: ['www.example.com'] });
    // WHEN
    const diagram = mermaidDiagram([...tutorial().filter((m) => m.kind !== 'VirtualService'), redirecting]);
    // THEN port 80 is HTTP's default, so it is not written
    expect(diagram).toContain('(["301 redirect<br/>http://www.example.com/new"])');
    // Near miss: a VirtualService for any host keeps the placeholder.
    expect(mermaidDiagram([...tutorial().filter((m) => m.kind !== 'VirtualService'), { ...redirecting, spec: { ...redirecting.spec, hosts: ['*'] } }]))
      .toContain('(["301 redirect<br/>http://#lt;host#gt;/new"])');
  });

  test('draws an HTTPRoute\'s RequestMirror filters as dotted mirror edges to their Services and pods', () => {
    // GIVEN a mesh route that sends to web and mirrors to web-v2
    const httpRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }],
        rules: [{ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'web-v2', port: 80 }, percent: 10 } }], backendRefs: [{ name: 'web', port: 80 }] }],
      },
    };
    const manifests = [service('web'), deployment('web', { app: 'web' }), service('web-v2'), deployment('web-v2', { app: 'web-v2' }), httpRoute];
    // WHEN
    const diagram = mermaidDiagram(manifests);
    // THEN
    const rule = node(diagram, '\\{"rule 1<br/>every request"\\}');
    const web = node(diagram, '\\["any pod<br/>web\\.default\\.svc\\.cluster\\.local"\\]');
    const v2 = node(diagram, '\\["any pod<br/>web-v2\\.default\\.svc\\.cluster\\.local"\\]');
    const v2Pods = node(diagram, '\\[\\("Deployment default/web-v2<br/>1 replica"\\)\\]');
    expect([rule, web, v2, v2Pods].every((n) => n !== undefined)).toBe(true);
    expect(diagram).toContain(`\n  ${rule} -->|100%| ${web}\n`);
    expect(diagram).toContain(`\n  ${rule} -.->|mirror| ${v2}\n`);
    expect(diagram).toContain(`\n  ${v2} --> ${v2Pods}\n`);
    // Near miss: without the filter, no mirror edge and no web-v2 node.
    const plain = mermaidDiagram([...manifests.slice(0, 4), { ...httpRoute, spec: { ...httpRoute.spec, rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] } }]);
    expect(plain).not.toContain('-.->|mirror|');
    expect(plain).not.toContain('web-v2.default');
  });

  test('draws an HTTPRoute rule that redirects as an answer node, without edges to its backends, and a URLRewrite in the rule', () => {
    // GIVEN a redirect rule that also names a backend, a rewriting rule and a rule without backends
    const httpRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop' },
      spec: {
        parentRefs: [{ name: 'shop-gateway' }],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/old' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301, path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } } }], backendRefs: [{ name: 'old', port: 80 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'api.internal' } }], backendRefs: [{ name: 'web', port: 80 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/none' } }] },
        ],
      },
    };
    // WHEN
    const diagram = mermaidDiagram([service('web'), deployment('web', { app: 'web' }), service('old'), httpRoute]);
    // THEN
    const redirectRule = node(diagram, '\\{"rule 1<br/>path starting with #quot;/old#quot;"\\}');
    const redirect = node(diagram, '\\(\\["301 redirect<br/>https://#lt;host#gt;#lt;path, with prefix #quot;/old#quot; replaced by #quot;/new#quot;#gt;"\\]\\)');
    expect([redirectRule, redirect].every((n) => n !== undefined)).toBe(true);
    expect(diagram).toContain(`\n  ${redirectRule} --> ${redirect}\n`);
    expect(diagram).not.toContain('old.default.svc.cluster.local');
    const rewriting = node(diagram, '\\{"rule 2<br/>path starting with #quot;/api#quot;<br/>rewrites host to #quot;api\\.internal#quot;"\\}');
    expect(diagram).toMatch(new RegExp(`\n {2}${rewriting} -->\\|100%\\| n\\d+\n`));
    const none = node(diagram, '\\{"rule 3<br/>path starting with #quot;/none#quot;"\\}');
    const answered = node(diagram, '\\(\\["direct response<br/>500<br/>no backendRefs"\\]\\)');
    expect([rewriting, none, answered].every((n) => n !== undefined)).toBe(true);
    expect(diagram).toContain(`\n  ${none} --> ${answered}\n`);
  });
});

describe('mermaidDiagram of GRPCRoutes', () => {
  test('draws a GRPCRoute\'s rules with their gRPC matches, shares and mirrors, and a TLSRoute as a warning node', () => {
    // GIVEN a GRPCRoute with a weighted split, a mirror, a rule without matches, and a TLSRoute on the same Gateway
    const gw = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS' }, { name: 'tls', port: 8443, protocol: 'TLS', tls: { mode: 'Passthrough' } }] } };
    const grpc = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'users' },
      spec: {
        parentRefs: [{ name: 'gw', sectionName: 'https' }], hostnames: ['grpc.example.com'],
        rules: [
          { matches: [{ method: { service: 'pkg.Users', method: 'Get' } }], filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 80 } } }], backendRefs: [{ name: 'v1', port: 80, weight: 3 }, { name: 'v2', port: 80, weight: 1 }] },
          { backendRefs: [{ name: 'v1', port: 80 }] },
        ],
      },
    };
    const tls = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'TLSRoute', metadata: { name: 'vault' }, spec: { parentRefs: [{ name: 'gw', sectionName: 'tls' }], rules: [{ backendRefs: [{ name: 'v1', port: 80 }] }] } };
    const backends = ['v1', 'v2', 'shadow'].flatMap((name) => [service(name), deployment(name, { app: name })]);
    // WHEN
    const diagram = mermaidDiagram([gw, grpc, tls, ...backends]);
    // THEN
    const node = (text: string) => new RegExp(`\\n {2}(n\\d+)${text}\\n`).exec(diagram)?.[1];
    const routeId = node('\\["GRPCRoute default/users<br/>hostnames: grpc\\.example\\.com"\\]');
    const rule1 = node('\\{"rule 1<br/>method pkg\\.Users/Get"\\}');
    const rule2 = node('\\{"rule 2<br/>every request"\\}');
    const v1 = node('\\["any pod<br/>v1\\.default\\.svc\\.cluster\\.local"\\]');
    const v2 = node('\\["any pod<br/>v2\\.default\\.svc\\.cluster\\.local"\\]');
    const shadow = node('\\["any pod<br/>shadow\\.default\\.svc\\.cluster\\.local"\\]');
    expect([routeId, rule1, rule2, v1, v2, shadow].every((n) => n !== undefined)).toBe(true);
    expect(diagram).toContain(`\n  ${routeId} --> ${rule1}\n`);
    expect(diagram).toContain(`\n  ${rule1} -->|75%| ${v1}\n`);
    expect(diagram).toContain(`\n  ${rule1} -->|25%| ${v2}\n`);
    expect(diagram).toContain(`\n  ${rule1} -.->|mirror| ${shadow}\n`);
    expect(diagram).toContain(`\n  ${rule2} -->|100%| ${v1}\n`);
    // Near miss: the GRPCRoute is no longer a warning node; the TLSRoute still is.
    expect(diagram).not.toContain('GRPCRoute default/users is not drawn');
    expect(diagram).toContain('>"warning: TLSRoute default/vault is not drawn<br/>TLSRoutes are not modelled: routing may differ"]');
  });
});

describe('mermaidDiagram draws only what Istio sends', () => {
  test('draws no edge from a Gateway to a VirtualService whose hosts none of its servers takes', () => {
    // GIVEN a Gateway for shop.example.com and a VirtualService bound to it for admin.example.com
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService' && m.kind !== 'Gateway'), gateway('website-gateway', ['shop.example.com']),
      virtualService('shop', [{ route: [route('website', 'version-1')] }], { hosts: ['shop.example.com'] }),
      virtualService('admin', [{ route: [route('website', 'version-2')] }], { hosts: ['admin.example.com'] })];

    // WHEN
    const diagram = mermaidDiagram(manifests);

    // THEN
    const gw = /(n\d+)\[\/"Gateway default\/website-gateway"\/\]/.exec(diagram)![1];
    const admin = /(n\d+)\["VirtualService default\/admin/.exec(diagram)![1];
    expect(diagram).not.toContain(`${gw} --> ${admin}`);
    expect(diagram).toContain('no server of default/website-gateway takes these hosts: no requests');
    expect(diagram).not.toContain('subset version-2');
  });

  test('leaves out the http rules after one that takes every request', () => {
    // GIVEN a catch-all rule before a header rule
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), virtualService('vs', [
      { route: [route('website', 'version-1')] },
      { match: [{ headers: { qa: { exact: 'x' } } }], route: [route('website', 'version-2')] },
    ])];

    // WHEN
    const diagram = mermaidDiagram(manifests);

    // THEN
    expect(diagram).toContain('"rule 1<br/>every request"');
    expect(diagram).not.toContain('rule 2');
  });

  test('draws a delegate VirtualService under the rule that delegates to it, bound to nothing', () => {
    // GIVEN a root VirtualService whose /api rule delegates to one without hosts
    const manifests = tutorialWithDelegate();

    // WHEN
    const diagram = mermaidDiagram(manifests);

    // THEN
    const api = /(n\d+)\["VirtualService default\/api<br\/>delegate \(no hosts\)"\]/.exec(diagram)![1];
    expect(diagram).toMatch(new RegExp(`n\\d+ -->\\|delegate\\| ${api}\n`));
    const mesh = /(n\d+)\(\("mesh"\)\)/.exec(diagram)![1];
    expect(diagram).not.toContain(`${mesh} --> ${api}\n`);
  });

  test('draws a rule whose delegate is missing, has hosts or is not exported to the root\'s namespace as left out', () => {
    // GIVEN root VirtualServices in default delegating to: nothing, a VirtualService with hosts, one exported to shop only
    const hidden = virtualService('hidden', [{ route: [route('website', 'version-2')] }], { ns: 'shop', gateways: null });
    delete hidden.spec.hosts;
    hidden.spec.exportTo = ['.'];
    const withHosts = virtualService('with-hosts', [{ route: [route('website', 'version-2')] }], { hosts: ['other'], gateways: ['mesh'] });
    const manifests = [...tutorial().filter((m) => m.kind !== 'VirtualService'), hidden, withHosts, virtualService('root', [
      { match: [{ uri: { prefix: '/a' } }], delegate: { name: 'absent' } },
      { match: [{ uri: { prefix: '/b' } }], delegate: { name: 'with-hosts' } },
      { match: [{ uri: { prefix: '/c' } }], delegate: { name: 'hidden', namespace: 'shop' } },
    ], { hosts: ['website'], gateways: ['mesh'] })];

    // WHEN
    const diagram = mermaidDiagram(manifests);

    // THEN
    expect(diagram).toContain('>"no delegate VirtualService default/absent<br/>(one without hosts)<br/>rule left out"]');
    expect(diagram).toContain('>"no delegate VirtualService default/with-hosts<br/>(one without hosts)<br/>rule left out"]');
    expect(diagram).toContain('>"VirtualService shop/hidden not exported to default<br/>rule left out"]');
    expect(diagram.match(/-->\|delegate\|/g)).toHaveLength(3);
  });
});
