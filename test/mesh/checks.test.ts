import { describe, expect, test } from 'vitest';
import {
  checkConflicts, checkDelegates, checkDestinations, checkGatewayExports, checkGateways, checkUnexpandedHosts, checkRules, checkServicesAndWorkloads, checkSubsets,
} from '../../lib/mesh/checks';
import { Finding } from '../../lib/mesh/findings';
import { Manifest, MeshIndex } from '../../lib/mesh/manifests';
import {
  deployment, destinationRule, gateway, M, route, service, tutorial, tutorialStep4AsWritten, V1, V2, virtualService,
} from '../support/fixtures';

type Check = (index: MeshIndex) => Finding[];

function run(check: Check, manifests: Manifest[]): Finding[] {
  return check(new MeshIndex(manifests));
}

function codes(check: Check, manifests: Manifest[]): string[] {
  return run(check, manifests).map((f) => `${f.severity} ${f.code} ${f.kind}/${f.name}`);
}

/** The tutorial with one object replaced (matched by kind and name) or added. */
function withObject(object: M, base: M[] = tutorial()): M[] {
  const at = base.findIndex((m) => m.kind === object.kind && m.metadata.name === object.metadata.name);
  return at >= 0 ? base.map((m, i) => (i === at ? object : m)) : [...base, object];
}

function vsWith(http: any[], opts: Parameters<typeof virtualService>[2] = {}): M {
  return virtualService('website-virtual-service', http, opts);
}

describe('the healthy tutorial topology', () => {
  test.each([checkDestinations, checkGateways, checkSubsets, checkConflicts, checkRules])('has no finding from %o', (check) => {
    expect(run(check, tutorial())).toEqual([]);
  });
});

describe('checkDestinations', () => {
  test('finds the tutorial\'s step 4: a route to a subset the DestinationRule lacks (IST0101), naming both objects', () => {
    const [f] = run(checkDestinations, tutorialStep4AsWritten());
    expect(f).toMatchObject({ severity: 'error', code: 'unknown-subset', istioCode: 'IST0101', kind: 'VirtualService', namespace: 'default', name: 'website-virtual-service' });
    expect(f.message).toContain('http rule 1 routes to subset "version-2" of host website.default.svc.cluster.local');
    expect(f.message).toContain('DestinationRule default/website does not define it (it defines "version-1")');
  });

  test('near miss: the same route once the subset exists', () => {
    const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', V2]]), tutorialStep4AsWritten());
    expect(run(checkDestinations, manifests)).toEqual([]);
  });

  test('finds a subset route when no DestinationRule exists for the host', () => {
    const manifests = tutorial().filter((m) => m.kind !== 'DestinationRule');
    expect(run(checkDestinations, manifests).map((f) => f.message)).toEqual([
      expect.stringContaining('no DestinationRule defines subsets for host website.default.svc.cluster.local'),
      expect.stringContaining('no DestinationRule defines subsets for host website.default.svc.cluster.local'),
    ]);
  });

  test('finds a mirror to an unknown subset', () => {
    const manifests = withObject(vsWith([{ route: [route('website', 'version-1')], mirror: { host: 'website', subset: 'shadow' } }]));
    expect(run(checkDestinations, manifests).map((f) => f.message)).toEqual([expect.stringContaining('http rule 1 mirrors to subset "shadow"')]);
  });

  test('finds a host that matches no Service (IST0101), and the subset its host lacks, as istioctl does', () => {
    const manifests = withObject(vsWith([{ route: [route('webiste', 'version-1')] }]));
    expect(codes(checkDestinations, manifests)).toEqual(['error unknown-host VirtualService/website-virtual-service', 'error unknown-subset VirtualService/website-virtual-service']);
    expect(run(checkDestinations, manifests)[1].message).toContain('subset "version-1" of host webiste.default.svc.cluster.local, but no DestinationRule defines subsets for host webiste.default.svc.cluster.local');
  });

  test('near miss: a host declared by a ServiceEntry, exactly or by wildcard', () => {
    const entry = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext' }, spec: { hosts: ['api.example.com', '*.cdn.example.com'] } };
    const manifests = withObject(vsWith([{ route: [route('api.example.com', undefined, 50), route('img.cdn.example.com', undefined, 50)] }]), [...tutorial(), entry]);
    expect(run(checkDestinations, manifests)).toEqual([]);
  });

  test('resolves a short host and a fully qualified one to the same Service', () => {
    for (const host of ['website', 'website.default.svc.cluster.local']) {
      const manifests = withObject(vsWith([{ route: [route(host, 'version-1')] }]));
      expect(run(checkDestinations, manifests), host).toEqual([]);
    }
  });

  test('takes a host with a dot as written, as pilot does: website.default and website.default.svc name no Service', () => {
    // GIVEN routes to the tutorial's Service written as name.namespace and name.namespace.svc
    for (const host of ['website.default', 'website.default.svc']) {
      const manifests = withObject(vsWith([{ route: [route(host, 'version-1')] }]));
      // THEN the host matches no Service (pilot's ResolveShortnameToFQDN completes only names without
      // a dot, and the cluster outbound|80|version-1|website.default does not exist), and the
      // message says what to write
      expect(codes(checkDestinations, manifests), host).toEqual(['error unknown-host VirtualService/website-virtual-service', 'error unknown-subset VirtualService/website-virtual-service']);
      expect(run(checkDestinations, manifests)[0].message).toBe(`http rule 1 routes to host "${host}", which matches no Service or ServiceEntry; Istio completes only a name without a dot, so "${host}" is not Service default/website: write "website.default.svc.cluster.local" (or "website" from namespace default)`);
    }
  });

  test('near miss: a dotted host that a Service or ServiceEntry has as its own name is taken as it is', () => {
    const entry = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'legacy' }, spec: { hosts: ['website.default'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }] } };
    const manifests = withObject(vsWith([{ route: [route('website.default')] }]), [...tutorial(), entry]);
    expect(run(checkDestinations, manifests)).toEqual([]);
    expect(run(checkUnexpandedHosts, manifests)).toEqual([]);
  });

  test('honours namespaces: a short host resolves in the VirtualService\'s namespace', () => {
    const manifests = withObject(vsWith([{ route: [route('website')] }], { ns: 'shop' }));
    expect(codes(checkDestinations, manifests)).toEqual(['error unknown-host VirtualService/website-virtual-service']);
    const qualified = withObject(vsWith([{ route: [route('website.default.svc.cluster.local', 'version-1')] }], { ns: 'shop' }));
    expect(run(checkDestinations, qualified)).toEqual([]);
  });

  test('finds a destination without a port on a multi-port Service (IST0112), and an unknown port', () => {
    const twoPorts = service('website', { selector: { app: 'website' }, ports: [{ name: 'http', port: 80 }, { name: 'http-admin', port: 8080 }] });
    expect(codes(checkDestinations, withObject(twoPorts))).toEqual([
      'error destination-port-required VirtualService/website-virtual-service',
      'error destination-port-required VirtualService/website-virtual-service',
    ]);
    const withPort = withObject(vsWith([{ route: [{ destination: { host: 'website', subset: 'version-1', port: { number: 80 } } }] }]), withObject(twoPorts));
    expect(run(checkDestinations, withPort)).toEqual([]);
    const wrongPort = withObject(vsWith([{ route: [{ destination: { host: 'website', subset: 'version-1', port: { number: 81 } } }] }]));
    expect(codes(checkDestinations, wrongPort)).toEqual(['error unknown-destination-port VirtualService/website-virtual-service']);
    // istioctl reports a port the Service lacks as a missing host:port (IST0101).
    expect(run(checkDestinations, wrongPort)[0]).toMatchObject({ istioCode: 'IST0101', message: 'http rule 1 routes to port 81 of Service default/website, which only has ports 80' });
  });

  test('checks the ports of ServiceEntry destinations too', () => {
    const entry = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext' }, spec: { hosts: ['api.example.com'], ports: [{ number: 80, name: 'http' }, { number: 443, name: 'https' }] } };
    const to = (port?: number) => withObject(vsWith([{ route: [{ destination: { host: 'api.example.com', ...(port === undefined ? {} : { port: { number: port } }) } }] }]), [...tutorial(), entry]);
    expect(codes(checkDestinations, to())).toEqual(['error destination-port-required VirtualService/website-virtual-service']);
    expect(codes(checkDestinations, to(8443))).toEqual(['error unknown-destination-port VirtualService/website-virtual-service']);
    expect(run(checkDestinations, to(443))).toEqual([]);
  });
});

describe('checkUnexpandedHosts: hosts that Istio takes as written', () => {
  const subsets: Array<[string, Record<string, string>]> = [['version-1', V1], ['version-2', V2]];
  function withRule(host: string): M[] {
    return [...tutorial().filter((m) => m.kind !== 'DestinationRule'), destinationRule('website', host, subsets)];
  }

  test('a DestinationRule for website.default applies to no Service: its subsets are missing where the routes look for them', () => {
    // GIVEN the tutorial with its DestinationRule's host written as name.namespace
    const manifests = withRule('website.default');
    // THEN the rule is reported, and the routes' missing subsets name it
    expect(run(checkUnexpandedHosts, manifests)).toEqual([expect.objectContaining({
      code: 'unexpanded-host', severity: 'error', kind: 'DestinationRule', name: 'website',
      message: 'host "website.default" names no Service, so its subsets and traffic policy apply to nothing and every route to its subsets fails with 503; Istio completes only a name without a dot, so "website.default" is not Service default/website: write "website.default.svc.cluster.local" (or "website" from namespace default)',
    })]);
    expect(run(checkDestinations, manifests).map((f) => f.message)).toContain('http rule 1 routes to subset "version-2" of host website.default.svc.cluster.local, but no DestinationRule defines subsets for host website.default.svc.cluster.local (DestinationRule default/website is for host "website.default", which Istio does not expand); every request this route takes fails with 503 until the subset exists: add the subset to the DestinationRule before routing to it');
    expect(codes(checkUnexpandedHosts, withRule('website.default.svc'))).toEqual(['error unexpanded-host DestinationRule/website']);
  });

  test('near miss: a short or fully qualified DestinationRule host, and a dotted host of no Service, are not reported', () => {
    for (const host of ['website', 'website.default.svc.cluster.local', 'api.example.com', 'website.shop']) {
      expect(run(checkUnexpandedHosts, withRule(host)), host).toEqual([]);
    }
  });

  test('an in-mesh VirtualService for website.default does not route calls to the Service; a gateway host may be any name', () => {
    const mesh = virtualService('in-mesh', [{ route: [route('website', 'version-1')] }], { hosts: ['website.default'], gateways: ['mesh'] });
    expect(run(checkUnexpandedHosts, [...tutorial(), mesh])).toEqual([expect.objectContaining({ code: 'unexpanded-host', kind: 'VirtualService', name: 'in-mesh' })]);
    expect(run(checkUnexpandedHosts, [...tutorial(), mesh])[0].message).toContain('in-mesh calls to the Service are not routed by this VirtualService');
    const edge = virtualService('edge', [{ route: [route('website', 'version-1')] }], { hosts: ['website.default'] });
    expect(run(checkUnexpandedHosts, [...tutorial(), edge])).toEqual([]);
  });
});

describe('checkGateways', () => {
  test('finds a gateway that is not defined (IST0101)', () => {
    const manifests = withObject(vsWith([{ route: [route('website', 'version-1')] }], { gateways: ['website-gw'] }));
    const [f] = run(checkGateways, manifests);
    expect(f).toMatchObject({ severity: 'error', code: 'unknown-gateway', istioCode: 'IST0101' });
    expect(f.message).toContain('gateways names "default/website-gw", which is not defined');
  });

  test('near miss: a gateway named in the legacy form name.namespace.svc.cluster.local is found in that namespace', () => {
    // GIVEN Gateway istio-system/public, named by a VirtualService of namespace shop in the legacy form
    const vs = virtualService('shop', [{ route: [route('shop')] }], { ns: 'shop', hosts: ['shop.example.com'], gateways: ['public.istio-system.svc.cluster.local'] });

    // WHEN / THEN no unknown-gateway
    expect(run(checkGateways, [gateway('public', ['*/shop.example.com'], { ns: 'istio-system' }), vs])).toEqual([]);
  });

  test('near miss: a gateway named with its namespace', () => {
    const manifests = withObject(vsWith([{ route: [route('website', 'version-1')] }], { gateways: ['default/website-gateway'] }));
    expect(run(checkGateways, manifests)).toEqual([]);
  });

  test('finds hosts the bound gateway does not serve (IST0132)', () => {
    const manifests = withObject(gateway('website-gateway', ['www.example.com']), withObject(vsWith([{ route: [route('website', 'version-1')] }], { hosts: ['shop.example.com'] })));
    const [f] = run(checkGateways, manifests);
    expect(f).toMatchObject({ severity: 'warning', code: 'host-not-in-gateway', istioCode: 'IST0132' });
    expect(f.message).toContain('host "shop.example.com" is not served by Gateway default/website-gateway');
  });

  test('near miss: a wildcard server host serves the host', () => {
    const manifests = withObject(gateway('website-gateway', ['*.example.com']), withObject(vsWith([{ route: [route('website', 'version-1')] }], { hosts: ['shop.example.com'] })));
    expect(run(checkGateways, manifests)).toEqual([]);
  });

  test('honours namespace/host server hosts', () => {
    const vs = vsWith([{ route: [route('website', 'version-1')] }], { hosts: ['shop.example.com'] });
    expect(run(checkGateways, withObject(gateway('website-gateway', ['./shop.example.com']), withObject(vs)))).toEqual([]);
    expect(codes(checkGateways, withObject(gateway('website-gateway', ['other/shop.example.com']), withObject(vs))))
      .toEqual(['warning host-not-in-gateway VirtualService/website-virtual-service']);
  });

  test('completes a short VirtualService host with its namespace on a gateway too, as pilot does', () => {
    // GIVEN a Gateway for *.shop.svc.cluster.local and a VirtualService of namespace shop for host shop
    const vs = virtualService('shop', [{ route: [route('shop')] }], { ns: 'shop', hosts: ['shop'], gateways: ['internal'] });

    // WHEN / THEN the Gateway serves shop.shop.svc.cluster.local
    expect(run(checkGateways, [gateway('internal', ['*.shop.svc.cluster.local'], { ns: 'shop' }), vs])).toEqual([]);
  });

  test('fails if a short VirtualService host, once completed, is not on the gateway, and shows both forms', () => {
    // GIVEN a Gateway whose server takes the name shop as written (pilot completes VirtualService hosts, not server hosts)
    const vs = virtualService('shop', [{ route: [route('shop')] }], { ns: 'shop', hosts: ['shop'], gateways: ['internal'] });

    // WHEN
    const [f] = run(checkGateways, [gateway('internal', ['shop'], { ns: 'shop' }), vs]);

    // THEN
    expect(f).toMatchObject({ code: 'host-not-in-gateway' });
    expect(f.message).toContain('host "shop" (shop.shop.svc.cluster.local) is not served by Gateway shop/internal');
  });

  test('a host meant for the mesh need not be on the gateway, as long as the gateway serves one', () => {
    const vs = vsWith([{ route: [route('website', 'version-1')] }], { hosts: ['www.example.com', 'website'], gateways: ['website-gateway', 'mesh'] });
    expect(run(checkGateways, withObject(gateway('website-gateway', ['www.example.com']), withObject(vs)))).toEqual([]);
  });

  test('finds a "*" host bound to the mesh, explicitly or by having no gateways', () => {
    for (const gateways of [['website-gateway', 'mesh'], null]) {
      const manifests = withObject(vsWith([{ route: [route('website', 'version-1')] }], { gateways }));
      expect(codes(checkGateways, manifests)).toContain('error wildcard-host-on-mesh VirtualService/website-virtual-service');
    }
  });

  test('near miss: a named host bound to the mesh', () => {
    const manifests = withObject(vsWith([{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] }));
    expect(run(checkGateways, manifests)).toEqual([]);
  });
});

describe('checkSubsets', () => {
  test('finds a routed subset whose labels select no pod template (IST0173), as an error', () => {
    const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', { version: 'website-version-3' }]]));
    const [f] = run(checkSubsets, manifests);
    expect(f).toMatchObject({ severity: 'error', code: 'subset-selects-no-pods', istioCode: 'IST0173', kind: 'DestinationRule', name: 'website' });
    expect(f.message).toContain('subset "version-2" selects no pods: no pod template in namespace default has the labels app=website,version=website-version-3');
  });

  test('an unrouted subset selecting no pods is only a warning', () => {
    const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', V2], ['version-3', { version: 'website-version-3' }]]));
    expect(codes(checkSubsets, manifests)).toEqual(['warning subset-selects-no-pods DestinationRule/website']);
  });

  test('combines the Service selector with the subset labels: pods of another app do not count', () => {
    const other = deployment('other-v3', { app: 'other', version: 'website-version-3' });
    const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', V2], ['version-3', { version: 'website-version-3' }]]), [...tutorial(), other]);
    expect(codes(checkSubsets, manifests)).toEqual(['warning subset-selects-no-pods DestinationRule/website']);
  });

  test('near miss: pods from a StatefulSet, a DaemonSet or a bare Pod count', () => {
    const v3 = { app: 'website', version: 'v3' };
    for (const workload of [
      deployment('web-v3', v3, { kind: 'StatefulSet' }),
      deployment('web-v3', v3, { kind: 'DaemonSet' }),
      deployment('web-v3', v3, { kind: 'ReplicaSet' }),
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-v3', labels: v3 }, spec: {} },
    ]) {
      const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', V2], ['v3', { version: 'v3' }]]), [...tutorial(), workload]);
      expect(run(checkSubsets, manifests), workload.kind).toEqual([]);
    }
  });

  test('finds a subset whose only Deployment is scaled to zero (warning)', () => {
    const manifests = withObject(deployment('web-v2', V2, { replicas: 0 }));
    const [f] = run(checkSubsets, manifests);
    expect(f).toMatchObject({ severity: 'warning', code: 'subset-scaled-to-zero' });
    expect(f.message).toContain('selects only Deployment default/web-v2, scaled to 0 replicas; requests routed to it fail with 503');
  });

  test('honours namespaces: pods in another namespace do not count', () => {
    const manifests = withObject(deployment('web-v2', V2, { ns: 'other' }));
    expect(codes(checkSubsets, manifests)).toEqual(['error subset-selects-no-pods DestinationRule/website']);
  });

  test('finds duplicate and non-DNS-1123 subset names', () => {
    const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-1', V1], ['Version_2', V2]]));
    expect(codes(checkSubsets, manifests)).toEqual([
      'error duplicate-subset DestinationRule/website',
      'error invalid-subset-name DestinationRule/website',
    ]);
  });
});

describe('checkConflicts', () => {
  test('finds two VirtualServices bound to the mesh for the same host (IST0109), on each of them as istioctl does', () => {
    const a = virtualService('a', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] });
    const b = virtualService('b', [{ route: [route('website', 'version-2')] }], { hosts: ['website.default.svc.cluster.local'], gateways: null });
    const findings = run(checkConflicts, [...tutorial(), a, b]);
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'error', code: 'conflicting-mesh-virtualservices', istioCode: 'IST0109', name: 'a', message: expect.stringContaining('also bound to the mesh by VirtualService default/b') }),
      expect.objectContaining({ severity: 'error', code: 'conflicting-mesh-virtualservices', istioCode: 'IST0109', name: 'b', message: expect.stringContaining('also bound to the mesh by VirtualService default/a') }),
    ]);
  });

  test('near miss: the same host on two VirtualServices, only one of them on the mesh', () => {
    const a = virtualService('a', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] });
    const b = virtualService('b', [{ route: [route('website', 'version-2')] }], { hosts: ['website'], gateways: ['website-gateway'] });
    expect(run(checkConflicts, [...tutorial(), a, b])).toEqual([]);
  });

  test('finds two DestinationRules for the same host', () => {
    const second = destinationRule('website-extra', 'website.default.svc.cluster.local', [['version-3', V2]]);
    expect(codes(checkConflicts, [...tutorial(), second])).toEqual(['warning conflicting-destinationrules DestinationRule/website-extra']);
  });

  test('near miss: DestinationRules for the same short name in two namespaces are different hosts', () => {
    const other = [service('website', { ns: 'shop' }), destinationRule('website', 'website', [['v1', {}]], { ns: 'shop' })];
    expect(run(checkConflicts, [...tutorial(), ...other])).toEqual([]);
  });
});

describe('checkRules', () => {
  const qa = { headers: { qa: { exact: 'canary-test' } } };

  test('finds a rule after a catch-all rule (IST0130)', () => {
    const manifests = withObject(vsWith([{ route: [route('website', 'version-1')] }, { match: [qa], route: [route('website', 'version-2')] }]));
    const [f] = run(checkRules, manifests);
    expect(f).toMatchObject({ severity: 'warning', code: 'unreachable-rule', istioCode: 'IST0130' });
    expect(f.message).toBe('http rule 2 can never match: http rule 1 before it takes every request; move the more specific rule first');
  });

  test('near miss: the specific rule first', () => {
    const manifests = withObject(vsWith([{ match: [qa], route: [route('website', 'version-2')] }, { route: [route('website', 'version-1')] }]));
    expect(run(checkRules, manifests)).toEqual([]);
  });

  test('a match with no condition is a catch-all too', () => {
    const manifests = withObject(vsWith([{ match: [{ name: 'all' }], route: [route('website', 'version-1')] }, { match: [qa], route: [route('website', 'version-2')] }]));
    expect(codes(checkRules, manifests)).toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
  });

  test('finds a rule all of whose matches repeat earlier ones (IST0130), and a single repeated match (IST0131)', () => {
    const other = { headers: { qa: { exact: 'other' } } };
    const unreachable = withObject(vsWith([
      { match: [qa], route: [route('website', 'version-2')] },
      { match: [{ ...qa, name: 'again' }], route: [route('website', 'version-1')] },
      { route: [route('website', 'version-1')] },
    ]));
    expect(codes(checkRules, unreachable)).toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
    const partly = withObject(vsWith([
      { match: [qa], route: [route('website', 'version-2')] },
      { match: [qa, other], route: [route('website', 'version-1')] },
      { route: [route('website', 'version-1')] },
    ]));
    const [f] = run(checkRules, partly);
    expect(f).toMatchObject({ severity: 'info', code: 'ineffective-match', istioCode: 'IST0131' });
    expect(f.message).toBe('match 1 of http rule 2 never applies: http rule 1 has the same match');
  });

  test('near miss: a match that differs in one value', () => {
    const manifests = withObject(vsWith([
      { match: [qa], route: [route('website', 'version-2')] },
      { match: [{ headers: { qa: { exact: 'canary-test-2' } } }], route: [route('website', 'version-1')] },
      { route: [route('website', 'version-1')] },
    ]));
    expect(run(checkRules, manifests)).toEqual([]);
  });

  test('finds destinations whose weights total 0, and notes totals other than 100', () => {
    expect(codes(checkRules, withObject(vsWith([{ route: [route('website', 'version-2', 0), route('website', 'version-1', 0)] }]))))
      .toEqual(['error zero-total-weight VirtualService/website-virtual-service']);
    expect(codes(checkRules, withObject(vsWith([{ route: [route('website', 'version-2', 1), route('website', 'version-1', 3)] }]))))
      .toEqual(['info weights-not-100 VirtualService/website-virtual-service']);
  });

  test('near miss: a single destination with weight 0 takes all traffic', () => {
    expect(run(checkRules, withObject(vsWith([{ route: [route('website', 'version-1', 0)] }])))).toEqual([]);
  });

  test('near miss: lower-case header keys', () => {
    const manifests = withObject(vsWith([{ match: [{ headers: { qa: { exact: 'x' } }, withoutHeaders: { 'x-skip': {} } }], route: [route('website', 'version-2')] }, { route: [route('website', 'version-1')] }]));
    expect(run(checkRules, manifests)).toEqual([]);
  });

  test('finds header match keys that are not lower case', () => {
    const manifests = withObject(vsWith([{ match: [{ headers: { QA: { exact: 'x' } }, withoutHeaders: { 'X-Skip': {} } }], route: [route('website', 'version-2')] }, { route: [route('website', 'version-1')] }]));
    expect(run(checkRules, manifests).map((f) => f.message)).toEqual([
      'http rule 1 matches headers key "QA"; Istio\'s API requires lower-case header names: use "qa"',
      'http rule 1 matches withoutHeaders key "X-Skip"; Istio\'s API requires lower-case header names: use "x-skip"',
    ]);
  });
});

describe('checkServicesAndWorkloads', () => {
  test('finds a Service port whose name and appProtocol do not give the protocol (IST0118)', () => {
    const manifests = withObject(service('website', { selector: { app: 'website' }, ports: [{ name: 'web', port: 80 }] }));
    expect(codes(checkServicesAndWorkloads, manifests)).toContain('info port-protocol-unknown Service/website');
  });

  test('near miss: a protocol prefix with a suffix, or an appProtocol', () => {
    for (const port of [{ name: 'http-web', port: 80 }, { name: 'web', port: 80, appProtocol: 'http' }, { name: 'GRPC', port: 80 }, { name: 'ws', port: 80, appProtocol: 'kubernetes.io/ws' }]) {
      const manifests = withObject(service('website', { selector: { app: 'website' }, ports: [port] }));
      expect(codes(checkServicesAndWorkloads, manifests).filter((c) => c.includes('port-protocol')), port.name).toEqual([]);
    }
  });

  test('finds a Service whose selector matches no pod template', () => {
    const manifests = withObject(service('website', { selector: { app: 'web-site' } }));
    expect(codes(checkServicesAndWorkloads, manifests)).toContain('warning service-selects-no-pods Service/website');
  });

  test('near miss: a Service with no selector (endpoints managed elsewhere)', () => {
    const manifests = withObject(service('website', { selector: null }));
    expect(codes(checkServicesAndWorkloads, manifests).filter((c) => c.includes('service-selects'))).toEqual([]);
  });

  test('finds a Deployment whose selector does not match its template', () => {
    const manifests = withObject(deployment('web-v2', V2, { selector: { app: 'website', version: 'v2' } }));
    expect(codes(checkServicesAndWorkloads, manifests)).toContain('error deployment-selector-mismatch Deployment/web-v2');
  });

  test('near miss: a selector on a subset of the template labels, or with expressions that hold', () => {
    const subset = deployment('web-v2', V2, { selector: { version: 'website-version-2' } });
    const expr = deployment('web-v2', V2);
    expr.spec.selector = { matchExpressions: [{ key: 'version', operator: 'In', values: ['website-version-2'] }, { key: 'tier', operator: 'DoesNotExist' }] };
    for (const d of [subset, expr]) {
      expect(codes(checkServicesAndWorkloads, withObject(d)).filter((c) => c.includes('deployment-selector'))).toEqual([]);
    }
  });

  test('finds an HTTPS server without a certificate', () => {
    const gw = gateway('website-gateway');
    gw.spec.servers.push({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE' } });
    const [f] = run(checkServicesAndWorkloads, withObject(gw)).filter((x) => x.code === 'tls-without-credential');
    expect(f).toMatchObject({ severity: 'error', kind: 'Gateway', name: 'website-gateway', message: 'server 2 (port 443, HTTPS) terminates TLS without a certificate; set tls.credentialName to the Secret holding it' });
  });

  test('near miss: HTTPS with a credentialName, and TLS passthrough', () => {
    const gw = gateway('website-gateway');
    gw.spec.servers.push(
      { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'cert' } },
      { port: { number: 8443, name: 'tls', protocol: 'TLS' }, hosts: ['*'], tls: { mode: 'PASSTHROUGH' } },
    );
    expect(run(checkServicesAndWorkloads, withObject(gw)).filter((x) => x.code === 'tls-without-credential')).toEqual([]);
  });

  test('reports a Gateway whose selector matches no workload in the manifests as info only', () => {
    expect(run(checkServicesAndWorkloads, tutorial())).toEqual([
      expect.objectContaining({ severity: 'info', code: 'gateway-selects-no-workload', istioCode: 'IST0101', kind: 'Gateway', name: 'website-gateway' }),
    ]);
  });

  test('near miss: an ingress gateway Deployment in istio-system with the selected labels', () => {
    const ingress = deployment('istio-ingressgateway', { istio: 'ingressgateway', app: 'istio-ingressgateway' }, { ns: 'istio-system' });
    expect(run(checkServicesAndWorkloads, [...tutorial(), ingress])).toEqual([]);
  });
});

/*
 * Istio's semantics, each case checked against the analyzers of istio/istio 1.30.3
 * (pkg/config/analysis/analyzers/...) and the rule-order analysis of pkg/config/validation.
 */
describe('namespace visibility (exportTo)', () => {
  const meshVs = (name: string, ns: string, exportTo?: string[]) => {
    const vs = virtualService(name, [{ route: [route('website.default')] }], { ns, hosts: ['website.default.svc.cluster.local'], gateways: ['mesh'] });
    return exportTo === undefined ? vs : { ...vs, spec: { ...vs.spec, exportTo } };
  };

  test('near miss: two mesh VirtualServices for one host exported to different namespaces do not conflict (IST0109 is scoped by exportTo)', () => {
    expect(run(checkConflicts, [...tutorial(), meshVs('a', 'shop', ['.']), meshVs('b', 'blog', ['.'])])).toEqual([]);
    expect(run(checkConflicts, [...tutorial(), meshVs('a', 'shop', ['shop']), meshVs('b', 'blog', ['blog', 'default'])])).toEqual([]);
  });

  test('finds mesh VirtualServices for one host whose exportTo overlap, also "*" (or none) against one namespace', () => {
    expect(codes(checkConflicts, [...tutorial(), meshVs('a', 'shop', ['.', 'blog']), meshVs('b', 'blog', ['.'])]))
      .toEqual(['error conflicting-mesh-virtualservices VirtualService/a', 'error conflicting-mesh-virtualservices VirtualService/b']);
    // istioctl groups by exact scope and misses this one; both apply in namespace shop.
    expect(codes(checkConflicts, [...tutorial(), meshVs('a', 'shop'), meshVs('b', 'shop', ['.'])]))
      .toEqual(['error conflicting-mesh-virtualservices VirtualService/a', 'error conflicting-mesh-virtualservices VirtualService/b']);
  });

  test('reports a conflict among three VirtualServices on each, naming the others', () => {
    const findings = run(checkConflicts, [...tutorial(), meshVs('a', 'x'), meshVs('b', 'y'), meshVs('c', 'z', ['q'])]);
    expect(findings.map((f) => [f.name, f.message.match(/by (.*), visible/)![1]])).toEqual([
      ['a', 'VirtualService y/b, VirtualService z/c'],
      ['b', 'VirtualService x/a, VirtualService z/c'],
      ['c', 'VirtualService x/a, VirtualService y/b'],
    ]);
  });

  function exported(m: M, exportTo: string): M {
    return { ...m, metadata: { ...m.metadata, annotations: { 'networking.istio.io/exportTo': exportTo } } };
  }

  // An ingress gateway in istio-system, and the shop's Gateway, VirtualService and Service in shop.
  const ingress = deployment('istio-ingressgateway', { istio: 'ingressgateway' }, { ns: 'istio-system' });
  const shopEdge = (exportTo?: string[], serviceExportTo?: string) => {
    const vs = virtualService('shop', [{ route: [route('api')] }], { ns: 'shop', hosts: ['shop.example.com'], gateways: ['edge'] });
    const api = service('api', { ns: 'shop' });
    return [
      ingress, gateway('edge', ['*'], { ns: 'shop' }),
      serviceExportTo === undefined ? api : exported(api, serviceExportTo),
      exportTo === undefined ? vs : { ...vs, spec: { ...vs.spec, exportTo } },
    ];
  };

  test('fails if a gateway-bound VirtualService is not exported to the namespace of the gateway\'s proxies: the gateway has no routes', () => {
    // GIVEN the VirtualService exported to its own namespace only, the gateway's pods in istio-system
    const findings = run(checkGatewayExports, shopEdge(['.']));
    // THEN pilot's VirtualServicesForGateway leaves it out of the gateway's config
    expect(findings.map((f) => `${f.severity} ${f.code} ${f.kind}/${f.name}`)).toEqual(['error virtualservice-not-exported VirtualService/shop']);
    expect(findings[0].message).toBe('is bound to Gateway shop/edge, whose proxies run in namespace istio-system, but it is exported only to namespace shop: the gateway never gets its routes and answers 404 for its hosts; add istio-system to spec.exportTo, or leave exportTo out');
  });

  test('near miss: exported to the proxies\' namespace, to all, or a gateway whose proxies are not in the manifests', () => {
    expect(run(checkGatewayExports, shopEdge(['.', 'istio-system']))).toEqual([]);
    expect(run(checkGatewayExports, shopEdge())).toEqual([]);
    expect(run(checkGatewayExports, shopEdge(['.']).filter((m) => m !== ingress))).toEqual([]);
  });

  test('judges a gateway-bound route\'s Service from the namespace of the gateway\'s proxies, as pilot\'s IsServiceVisible does', () => {
    // GIVEN the Service exported to its own namespace only: the gateway in istio-system cannot see it
    expect(run(checkDestinations, shopEdge(undefined, '.')).map((f) => f.message)).toEqual([
      'http rule 1 routes to host "api" (api.shop.svc.cluster.local), but Service shop/api is exported only to namespace shop, not to namespace istio-system where this VirtualService applies; export it there (annotation networking.istio.io/exportTo) or route elsewhere',
    ]);
    // AND exported to istio-system only, the gateway sees it although the VirtualService's namespace does not
    expect(run(checkDestinations, shopEdge(undefined, 'istio-system'))).toEqual([]);
    // AND without the gateway's proxies in the manifests, the VirtualService's own namespace is judged
    expect(codes(checkDestinations, shopEdge(undefined, 'istio-system').filter((m) => m !== ingress))).toEqual(['error host-not-exported VirtualService/shop']);
  });

  test('finds a route to a Service not exported to the VirtualService\'s namespace (IST0101)', () => {
    const api = exported(service('api', { ns: 'shop' }), '.');
    const vs = virtualService('front', [{ route: [route('api.shop.svc.cluster.local')] }], { ns: 'default', hosts: ['front'], gateways: ['mesh'] });
    const [f] = run(checkDestinations, [api, vs]);
    expect(f).toMatchObject({ severity: 'error', code: 'host-not-exported', istioCode: 'IST0101', name: 'front' });
    expect(f.message).toBe('http rule 1 routes to host "api.shop.svc.cluster.local", but Service shop/api is exported only to namespace shop, not to namespace default where this VirtualService applies; export it there (annotation networking.istio.io/exportTo) or route elsewhere');
  });

  test('near miss: a Service exported to the VirtualService\'s namespace, to all, or to a namespace the VirtualService is exported to', () => {
    const vs = virtualService('front', [{ route: [route('api.shop.svc.cluster.local')] }], { ns: 'default', hosts: ['front'], gateways: ['mesh'] });
    for (const exportTo of ['default', '*', 'blog, default', '.,default']) {
      expect(run(checkDestinations, [exported(service('api', { ns: 'shop' }), exportTo), vs]), exportTo).toEqual([]);
    }
    const toBlog = { ...vs, spec: { ...vs.spec, exportTo: ['blog'] } };
    expect(run(checkDestinations, [exported(service('api', { ns: 'shop' }), 'blog'), toBlog])).toEqual([]);
  });

  test('finds a route to a ServiceEntry host exported elsewhere, and accepts it once exported', () => {
    const entry = (exportTo: string[]) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext', namespace: 'egress' }, spec: { hosts: ['*.example.com'], exportTo, ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] } });
    const vs = virtualService('out', [], { hosts: ['api.example.com'], gateways: ['mesh'] });
    vs.spec.tls = [{ match: [{ sniHosts: ['api.example.com'] }], route: [route('api.example.com')] }];
    expect(codes(checkDestinations, [entry(['.']), vs])).toEqual(['error host-not-exported VirtualService/out']);
    expect(run(checkDestinations, [entry(['.', 'default']), vs])).toEqual([]);
  });
});

describe('gateway hosts (IST0132) as istioctl judges them', () => {
  const twoGateways = [gateway('www', ['www.example.com']), gateway('shop', ['shop.example.com'])];

  test('near miss: a VirtualService bound to two gateways, each host served by one of them', () => {
    const vs = vsWith([{ route: [route('website', 'version-1')] }], { hosts: ['www.example.com', 'shop.example.com'], gateways: ['www', 'shop'] });
    expect(run(checkGateways, [...tutorial(), ...twoGateways, vs])).toEqual([]);
  });

  test('finds a gateway that serves none of the hosts (IST0132), and a host that none of the gateways serves', () => {
    const none = vsWith([{ route: [route('website', 'version-1')] }], { hosts: ['blog.example.com'], gateways: ['www', 'shop'] });
    expect(codes(checkGateways, [...twoGateways, none])).toEqual([
      'warning host-not-in-gateway VirtualService/website-virtual-service',
      'warning host-not-in-gateway VirtualService/website-virtual-service',
    ]);
    const partly = vsWith([{ route: [route('website', 'version-1')] }], { hosts: ['www.example.com', 'blog.example.com'], gateways: ['www'] });
    const [f] = run(checkGateways, [...twoGateways, partly]);
    expect(f).toMatchObject({ severity: 'warning', code: 'host-on-no-gateway' });
    expect(f.istioCode).toBeUndefined();
    expect(f.message).toBe('host "blog.example.com" is served by none of the VirtualService\'s gateways (default/www) and it is not bound to the mesh, so no request for it reaches it');
  });

  test('near miss: hosts overlap either way, as istioctl\'s host matching does ("*" on the VirtualService, a wildcard on the server)', () => {
    expect(run(checkGateways, [gateway('www', ['*.example.com']), vsWith([], { hosts: ['*'], gateways: ['www'] })])).toEqual([]);
    expect(run(checkGateways, [gateway('www', ['shop.example.com']), vsWith([], { hosts: ['*.example.com'], gateways: ['www'] })])).toEqual([]);
    expect(run(checkGateways, [gateway('www', ['*/shop.example.com']), vsWith([], { hosts: ['shop.example.com'], gateways: ['www'] })])).toEqual([]);
  });
});

describe('conflicting Gateways (IST0145)', () => {
  test('finds two Gateways with the same selector, port and overlapping hosts, on each of them', () => {
    const findings = run(checkConflicts, [gateway('a', ['*']), gateway('b', ['shop.example.com'])]);
    expect(findings.map((f) => `${f.severity} ${f.code} ${f.istioCode} ${f.name}`)).toEqual(['error conflicting-gateways IST0145 a', 'error conflicting-gateways IST0145 b']);
    expect(findings[0].message).toBe('server 1 (port 80, hosts *) has the same selector (istio=ingressgateway), port and overlapping hosts as Gateway default/b; the gateway proxy cannot serve both: give them distinct hosts or ports, or merge them into one Gateway');
  });

  test('near miss: another port, another selector, disjoint hosts, or one Gateway with two servers', () => {
    const onPort = (name: string, port: number) => {
      const g = gateway(name);
      g.spec.servers[0].port.number = port;
      return g;
    };
    expect(run(checkConflicts, [onPort('a', 80), onPort('b', 8080)])).toEqual([]);
    expect(run(checkConflicts, [gateway('a'), gateway('b', ['*'], { selector: { istio: 'other' } })])).toEqual([]);
    expect(run(checkConflicts, [gateway('a', ['www.example.com']), gateway('b', ['shop.example.com', 'x/blog.example.com'])])).toEqual([]);
    const both = gateway('a');
    both.spec.servers.push({ ...both.spec.servers[0] });
    expect(run(checkConflicts, [both])).toEqual([]);
  });

  test('compares selectors whatever the order of their labels, and hosts without their namespace', () => {
    const a = gateway('a', ['./www.example.com'], { selector: { istio: 'ingressgateway', app: 'gw' } });
    const b = gateway('b', ['*/www.example.com'], { selector: { app: 'gw', istio: 'ingressgateway' } });
    expect(codes(checkConflicts, [a, b])).toEqual(['error conflicting-gateways Gateway/a', 'error conflicting-gateways Gateway/b']);
  });
});

describe('matches covered by earlier ones (IST0130, IST0131)', () => {
  const rules = (...matches: any[][]) => withObject(vsWith([
    ...matches.map((m, i) => ({ match: m, route: [route('website', i % 2 === 0 ? 'version-2' : 'version-1')] })),
    { route: [route('website', 'version-1')] },
  ]));

  test('finds a prefix taken by a shorter prefix before it, and an exact path under it', () => {
    const [f] = run(checkRules, rules([{ uri: { prefix: '/' } }], [{ uri: { prefix: '/api' } }]));
    expect(f).toMatchObject({ severity: 'warning', code: 'unreachable-rule', istioCode: 'IST0130' });
    expect(f.message).toBe('http rule 2 can never match: match 1 of http rule 1 already takes every request it admits');
    expect(codes(checkRules, rules([{ uri: { prefix: '/api' } }], [{ uri: { exact: '/api/v1' } }, { uri: { exact: '/about' } }])))
      .toEqual(['info ineffective-match VirtualService/website-virtual-service']);
  });

  test('finds a rule whose conditions are a superset of an earlier rule\'s', () => {
    const qa = { headers: { qa: { exact: 'canary-test' } } };
    expect(codes(checkRules, rules([qa], [{ ...qa, uri: { prefix: '/shop' }, method: { exact: 'GET' } }])))
      .toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
    expect(codes(checkRules, rules([{ headers: { qa: {} } }], [qa]))).toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
    expect(codes(checkRules, rules([{ headers: { qa: { prefix: 'canary' } } }], [qa]))).toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
  });

  test('near miss: the specific match first, a narrower earlier match, or conditions the later match lacks', () => {
    expect(run(checkRules, rules([{ uri: { prefix: '/api' } }], [{ uri: { prefix: '/' } }]))).toEqual([]);
    expect(run(checkRules, rules([{ uri: { prefix: '/api' }, headers: { qa: { exact: 'x' } } }], [{ uri: { prefix: '/api' } }]))).toEqual([]);
    expect(run(checkRules, rules([{ uri: { exact: '/api' } }], [{ uri: { prefix: '/api' } }]))).toEqual([]);
    expect(run(checkRules, rules([{ uri: { prefix: '/api' }, port: 8080 }], [{ uri: { prefix: '/api/v1' }, port: 80 }]))).toEqual([]);
  });

  test('near miss: ignoreUriCase does not make a regex case-insensitive, so it does not take a later exact path of other case', () => {
    // GIVEN a regex with ignoreUriCase (Envoy ignores case_sensitive for safe_regex), then an exact /API/v1
    const written = rules([{ uri: { regex: '/api/.*' }, ignoreUriCase: true }], [{ uri: { exact: '/API/v1' } }]);

    // WHEN / THEN no unreachable rule
    expect(run(checkRules, written)).toEqual([]);
    expect(codes(checkRules, rules([{ uri: { regex: '/api/.*' }, ignoreUriCase: true }], [{ uri: { exact: '/api/v1' } }]))).toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
  });

  test('honours ignoreUriCase: a case-insensitive earlier prefix takes a later one, not the reverse', () => {
    expect(codes(checkRules, rules([{ uri: { prefix: '/API' }, ignoreUriCase: true }], [{ uri: { prefix: '/api/v1' } }])))
      .toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
    expect(run(checkRules, rules([{ uri: { prefix: '/api' } }], [{ uri: { prefix: '/api/v1' }, ignoreUriCase: true }]))).toEqual([]);
  });

  test('a regex takes an exact value it matches and the same regex; withoutHeaders take narrower exclusions', () => {
    expect(codes(checkRules, rules([{ uri: { regex: '/api/v[0-9]+' } }], [{ uri: { exact: '/api/v2' } }]))).toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
    expect(run(checkRules, rules([{ uri: { regex: '/api/v[0-9]+' } }], [{ uri: { exact: '/api/vx' } }]))).toEqual([]);
    expect(run(checkRules, rules([{ uri: { regex: '/api/.*' } }], [{ uri: { prefix: '/api/' } }]))).toEqual([]);
    expect(codes(checkRules, rules([{ withoutHeaders: { qa: { prefix: 'canary' } } }], [{ withoutHeaders: { qa: {} } }]))).toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
    expect(run(checkRules, rules([{ withoutHeaders: { qa: {} } }], [{ withoutHeaders: { qa: { exact: 'x' } } }]))).toEqual([]);
  });

  test('sourceLabels, gateways and port: the later match must be at least as narrow', () => {
    expect(codes(checkRules, rules([{ sourceLabels: { app: 'a' }, gateways: ['mesh', 'gw'], port: 80 }], [{ sourceLabels: { app: 'a', v: '1' }, gateways: ['mesh'], port: 80 }])))
      .toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
    expect(run(checkRules, rules([{ gateways: ['mesh'] }], [{ gateways: ['mesh', 'gw'] }]))).toEqual([]);
    expect(run(checkRules, rules([{ gateways: ['mesh'] }], [{ uri: { prefix: '/' } }]))).toEqual([]);
    expect(run(checkRules, rules([{ sourceLabels: { app: 'a' } }], [{ sourceLabels: { app: 'b' } }]))).toEqual([]);
  });
});

describe('TCP and TLS rules', () => {
  function l4(kind: 'tcp' | 'tls', rules: any[]): M {
    const vs = virtualService('db', [], { hosts: ['website'], gateways: ['mesh'] });
    vs.spec[kind] = rules;
    delete vs.spec.http;
    return vs;
  }

  test('checks their destinations: host, subset and port (IST0101)', () => {
    const tcp = l4('tcp', [{ route: [{ destination: { host: 'database', port: { number: 5432 } } }] }]);
    expect(run(checkDestinations, [...tutorial(), tcp]).map((f) => f.message)).toEqual([
      'tcp rule 1 routes to host "database" (database.default.svc.cluster.local), which matches no Service or ServiceEntry; define the Service or fix the host',
    ]);
    const tls = l4('tls', [{ match: [{ sniHosts: ['website'] }], route: [{ destination: { host: 'website', subset: 'blue', port: { number: 443 } } }] }]);
    expect(codes(checkDestinations, [...tutorial(), tls])).toEqual(['error unknown-subset VirtualService/db', 'error unknown-destination-port VirtualService/db']);
  });

  test('counts their routed subsets: an unrouted subset is only a warning, a TCP-routed one an error', () => {
    const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', V2], ['v3', { version: 'v3' }]]));
    expect(codes(checkSubsets, manifests)).toEqual(['warning subset-selects-no-pods DestinationRule/website']);
    expect(codes(checkSubsets, [...manifests, l4('tcp', [{ route: [route('website', 'v3')] }])])).toEqual(['error subset-selects-no-pods DestinationRule/website']);
  });

  test('checks their weights and their order', () => {
    expect(codes(checkRules, [l4('tcp', [{ route: [route('website', 'a', 0), route('website', 'b', 0)] }])])).toEqual(['error zero-total-weight VirtualService/db']);
    const [after] = run(checkRules, [l4('tcp', [{ route: [route('website')] }, { match: [{ port: 5432 }], route: [route('website')] }])]);
    expect(after.message).toBe('tcp rule 2 can never match: tcp rule 1 before it takes every request; move the more specific rule first');
    const sni = l4('tls', [
      { match: [{ sniHosts: ['*.example.com'] }], route: [route('website')] },
      { match: [{ sniHosts: ['api.example.com'], port: 443 }, { sniHosts: ['example.org'] }], route: [route('website')] },
      { match: [{ sniHosts: ['example.org'] }], route: [route('website')] },
    ]);
    expect(run(checkRules, [sni]).map((f) => `${f.code}: ${f.message}`)).toEqual([
      'ineffective-match: match 1 of tls rule 2 never applies: match 1 of tls rule 1 already takes every request it admits',
      'unreachable-rule: tls rule 3 can never match: tls rule 2 has the same match',
    ]);
  });

  test('near miss: L4 matches on other ports, subnets or source labels', () => {
    const tcp = l4('tcp', [
      { match: [{ port: 5432, destinationSubnets: ['10.0.0.0/8'] }], route: [route('website')] },
      { match: [{ port: 5433, destinationSubnets: ['10.0.0.0/8'] }], route: [route('website')] },
      { match: [{ port: 5432, destinationSubnets: ['10.0.0.0/8', '192.168.0.0/16'] }], route: [route('website')] },
      { match: [{ sourceLabels: { app: 'a' } }], route: [route('website')] },
      { match: [{ sourceLabels: { app: 'b' } }, { sourceNamespace: 'x' }], route: [route('website')] },
      { match: [{ sourceNamespace: 'y' }], route: [route('website')] },
    ]);
    expect(run(checkRules, [tcp])).toEqual([]);
  });
});

describe('subset labels that come from the node', () => {
  test('near miss: a subset that also selects on topology labels still finds its pods (IST0173 is not reported)', () => {
    const manifests = withObject(destinationRule('website', 'website', [
      ['version-1', { ...V1, 'topology.kubernetes.io/zone': 'eu-west-1a' }],
      ['version-2', { version: 'website-version-2', 'topology.kubernetes.io/region': 'eu', 'kubernetes.io/hostname': 'node-1', 'topology.istio.io/subzone': 'rack-1' }],
    ]));
    expect(run(checkSubsets, manifests)).toEqual([]);
  });

  test('still finds a subset whose pod labels match nothing, naming only the pod labels', () => {
    const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', { version: 'v9', 'topology.kubernetes.io/zone': 'a' }]]));
    expect(run(checkSubsets, manifests).map((f) => f.message)).toEqual([expect.stringContaining('has the labels app=website,version=v9 (')]);
  });
});

describe('cost', () => {
  test('grows linearly with the namespace count: one workload lookup per Gateway, not one per Gateway and namespace', () => {
    // GIVEN sites that each have their own namespace
    const sites = (n: number) => Array.from({ length: n }, (_, i) => {
      const ns = `site-${i}`;
      return [service('website', { ns }), deployment('web-v1', V1, { ns }), gateway('website-gateway', ['*'], { ns })];
    }).flat();
    const lookups = (n: number) => {
      const index = new MeshIndex(sites(n));
      let count = 0;
      for (const name of ['workloadsMatching', 'workloadsMatchingAnywhere'] as const) {
        const original = index[name].bind(index);
        (index as any)[name] = (...args: any[]) => {
          count++;
          return (original as any)(...args);
        };
      }
      // WHEN every check runs
      [checkDestinations, checkGateways, checkSubsets, checkConflicts, checkRules, checkServicesAndWorkloads].forEach((check) => check(index));
      return count;
    };
    // THEN ten times the sites cost ten times the lookups
    expect(lookups(200)).toBe(10 * lookups(20));
  });

  test('compares Gateways of one selector and port by host, not all pairs: 10,000 of them in well under 3 s', () => {
    // GIVEN 10,000 Gateways on the same selector and port, each for its own host (all pairs: 50 million comparisons)
    const gateways = Array.from({ length: 10_000 }, (_, i) => gateway(`site-${i}`, [`site-${i}.example.com`]));
    gateways.push(gateway('catch-all', ['*.example.org']));
    const index = new MeshIndex(gateways);
    // WHEN the conflicts are checked
    const start = performance.now();
    const findings = checkConflicts(index);
    // THEN there are none, found in linear time (a few tens of milliseconds; all pairs take seconds)
    expect(findings).toEqual([]);
    expect(performance.now() - start).toBeLessThan(3_000);
  });
});

describe('details of the findings', () => {
  test('a finding has no istioCode where istioctl has no such check, and keeps the code\'s severity unless told', () => {
    const [f] = run(checkSubsets, withObject(deployment('web-v2', V2, { replicas: 0 })));
    expect(f).not.toHaveProperty('istioCode');
    expect(f.severity).toBe('warning');
  });

  test('subset names: DNS-1123 labels of at most 63 characters', () => {
    const names = ['a', 'a-b', '0', 'v1-2', 'x'.repeat(63), 'x'.repeat(64), '-a', 'a-', 'A', 'a.b', 'a_b', ''];
    const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', V2], ...names.map((n) => [n, V1] as [string, Record<string, string>])]));
    const invalid = run(checkSubsets, manifests).filter((f) => f.code === 'invalid-subset-name').map((f) => f.message.match(/"(.*)" must/)![1]);
    expect(invalid).toEqual(['x'.repeat(64), '-a', 'a-', 'A', 'a.b', 'a_b', '']);
  });

  test('a subset is scaled to zero only when every workload it selects is', () => {
    const v2b = deployment('web-v2b', V2, { replicas: 2 });
    expect(run(checkSubsets, [...withObject(deployment('web-v2', V2, { replicas: 0 })), v2b])).toEqual([]);
    expect(run(checkSubsets, [...withObject(deployment('web-v2', V2, { kind: 'DaemonSet' }))])).toEqual([]);
    const unrouted = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', V2], ['v3', { version: 'v3' }]]), [...tutorial(), deployment('web-v3', { app: 'website', version: 'v3' }, { replicas: 0 })]);
    expect(run(checkSubsets, unrouted).map((f) => f.message)).toEqual(['subset "v3" selects only Deployment default/web-v3, scaled to 0 replicas']);
  });

  test('a Service with an empty selector is not looked at for subsets or pods', () => {
    const manifests = withObject(service('website', { selector: {} }), withObject(destinationRule('website', 'website', [['version-1', { version: 'none' }]])));
    expect(run(checkSubsets, manifests)).toEqual([]);
    expect(codes(checkServicesAndWorkloads, manifests).filter((c) => c.includes('service-selects'))).toEqual([]);
  });

  test('every node label is left out, cluster and network too', () => {
    for (const key of ['topology.istio.io/cluster', 'topology.istio.io/network', 'kubernetes.io/hostname', 'topology.istio.io/subzone', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region']) {
      const manifests = withObject(destinationRule('website', 'website', [['version-1', { ...V1, [key]: 'x' }], ['version-2', V2]]));
      expect(run(checkSubsets, manifests), key).toEqual([]);
    }
  });

  test('names a DestinationRule without subsets, a Service without ports, and rules by name', () => {
    const manifests = withObject(destinationRule('website', 'website', []), withObject(vsWith([{ name: 'main', route: [route('website', 'version-1')] }])));
    expect(run(checkDestinations, manifests).map((f) => f.message)).toEqual([expect.stringContaining('http rule 1 ("main") routes to subset "version-1" of host website.default.svc.cluster.local, but DestinationRule default/website does not define it (it defines no subsets)')]);
    const noPorts = withObject(service('website', { ports: [] }), withObject(vsWith([{ route: [{ destination: { host: 'website', subset: 'version-1', port: { number: 80 } } }] }])));
    expect(run(checkDestinations, noPorts).map((f) => f.message)).toEqual(['http rule 1 routes to port 80 of Service default/website, which only has ports none']);
    const mirrored = withObject(vsWith([{ route: [route('website', 'version-1')], mirrors: [{ destination: { host: 'website', subset: 'shadow' } }, { percentage: { value: 1 } }] }]));
    expect(run(checkDestinations, mirrored).map((f) => f.message)).toEqual([expect.stringContaining('http rule 1 mirrors to subset "shadow"')]);
  });

  test('only HTTP rules mirror', () => {
    const vs = virtualService('db', [], { hosts: ['website'], gateways: ['mesh'] });
    vs.spec.tcp = [{ route: [route('website')], mirror: { host: 'nowhere' }, mirrors: [{ destination: { host: 'nowhere' } }] }];
    expect(run(checkDestinations, [...tutorial(), vs])).toEqual([]);
  });

  test('names the namespaces a Service is exported to, and the ServiceEntry field to change', () => {
    const api = { ...service('api', { ns: 'shop' }), metadata: { name: 'api', namespace: 'shop', annotations: { 'networking.istio.io/exportTo': 'shop, blog' } } };
    const vs = virtualService('front', [{ route: [route('api.shop.svc.cluster.local')] }], { hosts: ['front'], gateways: ['mesh'] });
    const scoped = { ...vs, spec: { ...vs.spec, exportTo: ['.', 'x'] } };
    expect(run(checkDestinations, [api, scoped])[0].message).toContain('is exported only to namespaces shop, blog, not to namespaces default, x where this VirtualService applies; export it there (annotation networking.istio.io/exportTo)');
    const entry = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext', namespace: 'egress' }, spec: { hosts: ['api.example.com'], exportTo: ['.'] } };
    const out = virtualService('out', [{ route: [route('api.example.com')] }], { hosts: ['front'], gateways: ['mesh'] });
    expect(run(checkDestinations, [entry, out])[0].message).toContain('but ServiceEntry egress/ext is exported only to namespace egress, not to namespace default where this VirtualService applies; export it there (spec.exportTo)');
  });
});

describe('details of gateways', () => {
  const vsFor = (hosts: string[], gateways: string[], ns?: string) => vsWith([{ route: [route('website', 'version-1')] }], { hosts, gateways, ns });

  test('a server host "./host" admits VirtualServices of the Gateway\'s namespace only', () => {
    const gw = gateway('public', ['./shop.example.com'], { ns: 'istio-system' });
    expect(run(checkGateways, [gw, vsFor(['shop.example.com'], ['istio-system/public'], 'istio-system')])).toEqual([]);
    const [f] = run(checkGateways, [gw, vsFor(['shop.example.com'], ['istio-system/public'])]);
    expect(f.message).toBe('host "shop.example.com" is not served by Gateway istio-system/public (its servers take ./shop.example.com for namespace default); requests for them through that gateway never reach this VirtualService');
    expect(run(checkGateways, [gateway('public', ['default/shop.example.com'], { ns: 'istio-system' }), vsFor(['shop.example.com'], ['istio-system/public'])])).toEqual([]);
  });

  test('looks at every server of a Gateway', () => {
    const gw = gateway('public', ['www.example.com']);
    gw.spec.servers.push({ port: { number: 8080, name: 'http-alt', protocol: 'HTTP' }, hosts: ['shop.example.com'] });
    expect(run(checkGateways, [gw, vsFor(['shop.example.com'], ['public'])])).toEqual([]);
    expect(run(checkGateways, [gw, vsFor(['www.example.com'], ['public'])])).toEqual([]);
  });

  test('speaks of several hosts in the plural, and of a Gateway without servers', () => {
    const empty = { ...gateway('public'), spec: { selector: { istio: 'ingressgateway' } } };
    expect(run(checkGateways, [empty, vsFor(['a.example.com', 'b.example.com'], ['public'])])[0].message)
      .toBe('hosts "a.example.com", "b.example.com" are not served by Gateway default/public (its servers take no hosts for namespace default); requests for them through that gateway never reach this VirtualService');
    expect(run(checkGateways, [gateway('public', ['a.example.com']), vsFor(['a.example.com', 'b.example.com', 'c.example.com'], ['public'])])[0].message)
      .toBe('hosts "b.example.com", "c.example.com" are served by none of the VirtualService\'s gateways (default/public) and it is not bound to the mesh, so no request for them reaches it');
  });

  test('reports no host-on-no-gateway when no gateway serves anything (IST0132 says it) or when the mesh takes the host', () => {
    expect(codes(checkGateways, [gateway('public', ['a.example.com']), vsFor(['b.example.com'], ['public', 'missing'])])).toEqual([
      'warning host-not-in-gateway VirtualService/website-virtual-service',
      'error unknown-gateway VirtualService/website-virtual-service',
    ]);
    expect(run(checkGateways, [gateway('public', ['a.example.com']), vsFor(['a.example.com', 'website'], ['public', 'mesh'])])).toEqual([]);
  });

  test('Gateway conflicts: a wildcard server against exact hosts either way, no selector, and a disjoint wildcard', () => {
    expect(codes(checkConflicts, [gateway('a', ['*.example.com']), gateway('b', ['shop.example.com'])])).toEqual(['error conflicting-gateways Gateway/a', 'error conflicting-gateways Gateway/b']);
    expect(codes(checkConflicts, [gateway('a', ['shop.example.com']), gateway('b', ['*.example.com'])])).toEqual(['error conflicting-gateways Gateway/a', 'error conflicting-gateways Gateway/b']);
    expect(run(checkConflicts, [gateway('a', ['*.example.com']), gateway('b', ['www.example.org', '*.example.org'])])).toEqual([]);
    const bare = (name: string) => ({ ...gateway(name), spec: { ...gateway(name).spec, selector: {} } });
    expect(run(checkConflicts, [bare('a'), bare('b')])[0].message).toContain('has the same selector (none), port and overlapping hosts as Gateway default/b');
    const three = run(checkConflicts, [gateway('c', ['x.example.com']), gateway('a', ['*']), gateway('b', ['x.example.com'])]);
    expect(three.map((f) => `${f.name}: ${f.message.match(/hosts as (.*);/)![1]}`)).toEqual([
      'c: Gateway default/a, Gateway default/b',
      'a: Gateway default/c, Gateway default/b',
      'b: Gateway default/c, Gateway default/a',
    ]);
  });

  test('TLS servers: any of the certificate fields, and modes that do not terminate', () => {
    const withServer = (server: any) => {
      const gw = gateway('website-gateway');
      gw.spec.servers = [{ port: { number: 443, name: 'https', protocol: 'https' }, hosts: ['*'], ...server }];
      return run(checkServicesAndWorkloads, withObject(gw)).filter((x) => x.code === 'tls-without-credential').length;
    };
    expect(withServer({ tls: { mode: 'SIMPLE' } })).toBe(1);
    expect(withServer({})).toBe(1);
    for (const tls of [{ credentialNames: ['a'] }, { serverCertificate: '/c' }, { tlsCertificates: [{}] }, { mode: 'ISTIO_MUTUAL' }, { mode: 'AUTO_PASSTHROUGH' }, { mode: 'OPTIONAL_MUTUAL' }]) {
      expect(withServer({ tls }), JSON.stringify(tls)).toBe(0);
    }
  });

  test('a Gateway without a selector is not reported as selecting nothing', () => {
    const bare = { ...gateway('website-gateway'), spec: { ...gateway('website-gateway').spec, selector: {} } };
    expect(run(checkServicesAndWorkloads, withObject(bare))).toEqual([]);
  });
});

describe('details of rules and ports', () => {
  test('a port without a name, and a Kubernetes appProtocol', () => {
    const manifests = withObject(service('website', { selector: { app: 'website' }, ports: [{ port: 80 }, { name: 'h2', port: 81, appProtocol: 'kubernetes.io/h2c' }, { name: 'x', port: 82, appProtocol: 'kubernetes.io/other' }] }));
    expect(run(checkServicesAndWorkloads, manifests).filter((f) => f.code === 'port-protocol-unknown').map((f) => f.message.split(' and has')[0])).toEqual([
      'port 80 is named (no name)', 'port 82 is named "x"',
    ]);
  });

  test('weights: missing weights count as 0, and 100 in total is fine', () => {
    expect(run(checkRules, withObject(vsWith([{ route: [route('website', 'version-2', 30), route('website', 'version-1', 70)] }])))).toEqual([]);
    expect(run(checkRules, withObject(vsWith([{ route: [route('website', 'version-2', 100), route('website', 'version-1')] }])))).toEqual([]);
    expect(run(checkRules, withObject(vsWith([{ route: [route('website', 'version-2', 50), { ...route('website', 'version-1'), weight: '50' }] }]))).map((f) => f.message))
      .toEqual(['http rule 1\'s weights add up to 50, not 100; Istio divides each by the total, so the shares are not the numbers written']);
    expect(run(checkRules, withObject(vsWith([{ route: [route('website', 'version-2'), route('website', 'version-1')] }]))).map((f) => f.message))
      .toEqual(['http rule 1 gives all its destinations weight 0 (Istio rejects a total weight of 0); give at least one destination a positive weight']);
  });

  test('an unreachable rule with several matches says which earlier match takes each', () => {
    const qa = { headers: { qa: { exact: 'canary-test' } } };
    const manifests = withObject(vsWith([
      { match: [qa, { uri: { prefix: '/a' } }], route: [route('website', 'version-2')] },
      { match: [{ uri: { prefix: '/a/b' } }, qa], route: [route('website', 'version-1')] },
      { route: [route('website', 'version-1')] },
    ]));
    expect(run(checkRules, manifests).map((f) => f.message)).toEqual([
      'http rule 2 can never match: match 1: match 2 of http rule 1 already takes every request it admits; match 2: http rule 1 has the same match',
    ]);
  });

  test('a rule after a catch-all is reported even without matches, and only the first catch-all counts', () => {
    const manifests = withObject(vsWith([
      { route: [route('website', 'version-1')] },
      { route: [route('website', 'version-2')] },
    ]));
    expect(run(checkRules, manifests).map((f) => f.message)).toEqual(['http rule 2 can never match: http rule 1 before it takes every request; move the more specific rule first']);
  });
});

describe('messages and edge cases', () => {
  const all = [checkDestinations, checkGateways, checkSubsets, checkConflicts, checkRules, checkServicesAndWorkloads];

  test('tolerates empty rules, routes, matches and destinations (YAML list items left blank)', () => {
    // GIVEN a VirtualService with null entries everywhere a list item can be
    const vs = vsWith([null, { match: [null], route: [null, { destination: {} }], mirrors: [null] }]);
    vs.spec.tcp = [null, { route: [null] }];
    vs.spec.tls = [null];
    // WHEN every check runs THEN none throws, and the destination without a host is named
    for (const check of all) {
      expect(() => run(check, withObject(vs)), check.name).not.toThrow();
    }
    expect(run(checkDestinations, withObject(vs)).map((f) => f.message)).toEqual(['http rule 2 routes to a destination without a host; set destination.host to a Service or ServiceEntry host']);
  });

  test('every protocol Istio knows is accepted as a port name prefix and as appProtocol', () => {
    const protocols = ['http', 'http2', 'http_proxy', 'https', 'grpc', 'grpc-web', 'mongo', 'mysql', 'redis', 'tcp', 'tls', 'udp'];
    for (const protocol of [...protocols, 'kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss']) {
      const ports = [{ name: 'x', port: 80, appProtocol: protocol }, ...(protocol.includes('/') ? [] : [{ name: `${protocol}-x`, port: 81 }])];
      const manifests = withObject(service('website', { selector: { app: 'website' }, ports }));
      expect(codes(checkServicesAndWorkloads, manifests).filter((c) => c.includes('port-protocol')), protocol).toEqual([]);
    }
  });

  test('reads a port as pilot\'s ConvertProtocol does: an unknown appProtocol hides a known name, a well-known port is TCP', () => {
    const unknown = (ports: object[]) => codes(checkServicesAndWorkloads, withObject(service('website', { selector: { app: 'website' }, ports }))).filter((c) => c.includes('port-protocol'));
    expect(unknown([{ name: 'http', port: 80, appProtocol: 'foo' }])).toHaveLength(1);
    expect(unknown([{ name: 'db', port: 3306 }])).toEqual([]);
    expect(unknown([{ name: 'db', port: 3307 }])).toHaveLength(1);
  });

  test('a Service exported to one of the namespaces the VirtualService is exported to is enough', () => {
    const api = { ...service('api', { ns: 'shop' }), metadata: { name: 'api', namespace: 'shop', annotations: { 'networking.istio.io/exportTo': 'blog' } } };
    const vs = virtualService('front', [{ route: [route('api.shop.svc.cluster.local')] }], { hosts: ['front'], gateways: ['mesh'] });
    expect(run(checkDestinations, [api, { ...vs, spec: { ...vs.spec, exportTo: ['.', 'blog'] } }])).toEqual([]);
  });

  test('messages name what is wrong exactly', () => {
    const twoRules = [...withObject(destinationRule('website', 'website', [['version-1', V1]])), destinationRule('extra', 'website', [['blue', V1], ['green', V2]])];
    expect(run(checkDestinations, withObject(vsWith([{ route: [route('website', 'red')] }]), twoRules)).map((f) => f.message)).toEqual([
      'http rule 1 routes to subset "red" of host website.default.svc.cluster.local, but DestinationRule default/website and DestinationRule default/extra does not define it (it defines "version-1", "blue", "green"); every request this route takes fails with 503 until the subset exists: add the subset to the DestinationRule before routing to it',
    ]);
    expect(run(checkConflicts, twoRules).map((f) => f.message)).toEqual([
      'host website.default.svc.cluster.local already has DestinationRule default/website; Istio merges DestinationRules of one host only partly (subsets with new names are added, a repeated subset name and a second traffic policy are dropped): keep a host\'s subsets and policy in one DestinationRule',
    ]);
    const twoPorts = withObject(service('website', { selector: { app: 'website' }, ports: [{ name: 'http', port: 80 }, { name: 'http-admin', port: 8080 }] }));
    expect(run(checkDestinations, twoPorts)[0].message).toBe('http rule 1 routes to Service default/website, which has 2 ports (80, 8080), without a port; set destination.port.number');
    const wrongPort = withObject(vsWith([{ route: [{ destination: { host: 'website', subset: 'version-1', port: { number: 81 } } }] }]), twoPorts);
    expect(run(checkDestinations, wrongPort)[0].message).toBe('http rule 1 routes to port 81 of Service default/website, which only has ports 80, 8080');
    expect(run(checkGateways, withObject(vsWith([], { gateways: ['mesh'] })))[0].message).toBe('host "*" cannot be bound to the mesh gateway (Istio rejects it: it would capture every in-mesh call); name the hosts, or bind the VirtualService to ingress gateways only');
    expect(run(checkSubsets, withObject(destinationRule('website', 'website', [['version-1', V1], ['version-1', V1], ['version-2', V2]]))).map((f) => f.message))
      .toEqual(['subset "version-1" is defined twice; Istio keeps only one of them']);
  });

  test('messages about subsets without pods, routed or not', () => {
    const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', { version: 'v9' }], ['v3', { version: 'v3' }]]));
    expect(run(checkSubsets, manifests).map((f) => f.message)).toEqual([
      'subset "version-2" selects no pods: no pod template in namespace default has the labels app=website,version=v9 (the Service\'s selector and the subset\'s labels); requests routed to it fail with 503',
      'subset "v3" selects no pods: no pod template in namespace default has the labels app=website,version=v3 (the Service\'s selector and the subset\'s labels)',
    ]);
  });

  test('a route without subset does not make a subset named "undefined" routed', () => {
    const manifests = withObject(destinationRule('website', 'website', [['version-1', V1], ['version-2', V2], ['undefined', { version: 'none' }]]), withObject(vsWith([{ route: [route('website', 'version-1', 50), route('website', undefined, 50)] }])));
    expect(codes(checkSubsets, manifests)).toEqual(['warning subset-selects-no-pods DestinationRule/website']);
  });

  test('messages about Services, workloads and Gateways', () => {
    expect(run(checkServicesAndWorkloads, withObject(service('website', { selector: { app: 'web-site', tier: 'front' } }))).find((f) => f.code === 'service-selects-no-pods')?.message)
      .toBe('selector app=web-site,tier=front matches no pod template in namespace default; the Service has no endpoints unless its pods are defined elsewhere');
    expect(run(checkServicesAndWorkloads, withObject(deployment('web-v2', V2, { selector: { app: 'website', version: 'v2' } }))).find((f) => f.code === 'deployment-selector-mismatch')?.message)
      .toBe('spec.selector {"matchLabels":{"app":"website","version":"v2"}} does not match the pod template\'s labels {"app":"website","version":"website-version-2"}; the API server rejects it');
    expect(run(checkServicesAndWorkloads, withObject(gateway('website-gateway', ['*'], { selector: { istio: 'ingressgateway', app: 'gw' } }))).map((f) => f.message))
      .toEqual(['selector istio=ingressgateway,app=gw matches no workload in these manifests; that is expected when the ingress gateway is installed separately (usually in istio-system), make sure one with these labels runs']);
    const a = gateway('a', ['www.example.com', 'shop.example.com'], { selector: { istio: 'ingressgateway', app: 'gw' } });
    expect(run(checkConflicts, [a, gateway('b', ['www.example.com'], { selector: { app: 'gw', istio: 'ingressgateway' } })])[0].message)
      .toBe('server 1 (port 80, hosts www.example.com, shop.example.com) has the same selector (app=gw,istio=ingressgateway), port and overlapping hosts as Gateway default/b; the gateway proxy cannot serve both: give them distinct hosts or ports, or merge them into one Gateway');
  });

  test('TLS passthrough aside, a TLS server needs a certificate too, and a server without a port is not taken for one', () => {
    const gw = gateway('website-gateway');
    gw.spec.servers = [{ port: { number: 8443, name: 'tls', protocol: 'TLS' }, hosts: ['*'], tls: { mode: 'SIMPLE' } }, { hosts: ['*'] }];
    expect(run(checkServicesAndWorkloads, withObject(gw)).filter((x) => x.code === 'tls-without-credential').map((f) => f.message))
      .toEqual(['server 1 (port 8443, TLS) terminates TLS without a certificate; set tls.credentialName to the Secret holding it']);
  });

  test('after two catch-all rules, later rules name the first', () => {
    const manifests = withObject(vsWith([{ route: [route('website', 'version-1')] }, { route: [route('website', 'version-2')] }, { route: [route('website', 'version-1')] }]));
    expect(run(checkRules, manifests).map((f) => f.message)).toEqual([
      'http rule 2 can never match: http rule 1 before it takes every request; move the more specific rule first',
      'http rule 3 can never match: http rule 1 before it takes every request; move the more specific rule first',
    ]);
  });
});

describe('lists in messages', () => {
  test('are comma-separated: server hosts, gateways, scaled-down workloads', () => {
    const gw = gateway('public', ['a.example.com', 'b.example.com']);
    expect(run(checkGateways, [gw, vsWith([], { hosts: ['c.example.com'], gateways: ['public'] })])[0].message).toContain('(its servers take a.example.com, b.example.com for namespace default)');
    const other = gateway('other', ['d.example.com']);
    expect(run(checkGateways, [gw, other, vsWith([], { hosts: ['a.example.com', 'd.example.com', 'e.example.com'], gateways: ['public', 'other'] })])[0].message)
      .toBe('host "e.example.com" is served by none of the VirtualService\'s gateways (default/public, default/other) and it is not bound to the mesh, so no request for it reaches it');
    const zero = [...withObject(deployment('web-v2', V2, { replicas: 0 })), deployment('web-v2b', V2, { replicas: 0 })];
    expect(run(checkSubsets, zero)[0].message).toBe('subset "version-2" selects only Deployment default/web-v2, Deployment default/web-v2b, scaled to 0 replicas; requests routed to it fail with 503');
  });
});

describe('delegate VirtualServices', () => {
  /** A VirtualService without hosts: a delegate. */
  const delegateVs = (name: string, http: any[], opts: { ns?: string; exportTo?: string[]; gateways?: string[] } = {}) => {
    const vs = virtualService(name, http, { gateways: opts.gateways ?? null, ...(opts.ns !== undefined ? { ns: opts.ns } : {}) });
    delete vs.spec.hosts;
    return opts.exportTo === undefined ? vs : { ...vs, spec: { ...vs.spec, exportTo: opts.exportTo } };
  };
  const root = (http: any[], opts: Parameters<typeof virtualService>[2] = {}) => virtualService('root', http, opts);

  test('fails if a rule delegates to a VirtualService that does not exist, has hosts, or is not exported to the root\'s namespace', () => {
    // GIVEN a root whose three rules delegate to a missing one, one with hosts, and one of shop exported only to shop
    const manifests = [...tutorial(), virtualService('with-hosts', [{ route: [route('website')] }], { hosts: ['other'], gateways: ['mesh'] }),
      delegateVs('hidden', [{ route: [route('website.default.svc.cluster.local')] }], { ns: 'shop', exportTo: ['.'] }),
      root([
        { name: 'a', match: [{ uri: { prefix: '/a' } }], delegate: { name: 'absent' } },
        { match: [{ uri: { prefix: '/b' } }], delegate: { name: 'with-hosts' } },
        { match: [{ uri: { prefix: '/c' } }], delegate: { name: 'hidden', namespace: 'shop' } },
      ])];

    // WHEN
    const findings = run(checkDelegates, manifests);

    // THEN
    expect(findings.map((f) => `${f.severity} ${f.code} ${f.kind}/${f.name}`)).toEqual([
      'error delegate-not-found VirtualService/root', 'error delegate-has-hosts VirtualService/root', 'error delegate-not-exported VirtualService/root',
    ]);
    expect(findings[0].message).toBe('http rule 1 ("a") delegates to VirtualService default/absent, which does not exist; istiod leaves the rule out, and its requests go to the rules after it (or get 404): define the delegate (a VirtualService without hosts) or fix delegate.name (without delegate.namespace it is looked up in default)');
    expect(findings[2].message).toBe('http rule 3 delegates to VirtualService shop/hidden, which is exported only to namespace shop, not to default; istiod leaves the rule out, and its requests go to the rules after it (or get 404): add default to its spec.exportTo, or leave exportTo out');
  });

  test('near miss: a rule delegating to a VirtualService without hosts exported to the root\'s namespace is fine', () => {
    const manifests = [...tutorial(), delegateVs('api', [{ route: [route('website.default.svc.cluster.local')] }], { ns: 'shop', exportTo: ['default'] }),
      root([{ delegate: { name: 'api', namespace: 'shop' } }])];
    expect(run(checkDelegates, manifests)).toEqual([]);
  });

  test('reports no gateway finding on a delegate: it is bound to no gateway by itself', () => {
    // GIVEN a delegate written with a gateway (Istio's validation refuses it), which serves none of its (no) hosts
    const manifests = withObject(delegateVs('api', [{ route: [route('website')] }], { gateways: ['website-gateway'] }));
    // THEN
    expect(run(checkGateways, manifests)).toEqual([]);
    expect(run(checkGatewayExports, [...manifests, deployment('ingress', { istio: 'ingressgateway' }, { ns: 'istio-system' })])).toEqual([]);
  });

  test('takes a rule that delegates for no catch-all: the rules after it stay reachable', () => {
    // GIVEN a root whose first rule delegates everything to api, whose only rule is for /api, then a catch-all
    const manifests = withObject(delegateVs('api', [{ match: [{ uri: { prefix: '/api' } }], route: [route('website', 'version-2')] }]),
      withObject(vsWith([{ delegate: { name: 'api' } }, { match: [{ uri: { prefix: '/' } }], route: [route('website', 'version-1')] }, { route: [route('website', 'version-1')] }])));
    // THEN
    expect(run(checkRules, manifests)).toEqual([]);
    // Near miss: a rule that routes everything hides the rest.
    expect(codes(checkRules, withObject(vsWith([{ route: [route('website', 'version-2')] }, { route: [route('website', 'version-1')] }]))))
      .toEqual(['warning unreachable-rule VirtualService/website-virtual-service']);
  });

  test('checks a delegate\'s destinations where its roots apply, not where it is exported', () => {
    // GIVEN Service website of default exported only to default, routed to by a delegate of shop
    const exported = { ...service('website', { selector: { app: 'website' } }), metadata: { name: 'website', annotations: { 'networking.istio.io/exportTo': '.' } } };
    const base = withObject(exported);
    const delegate = delegateVs('api', [{ route: [route('website.default.svc.cluster.local', 'version-1')] }], { ns: 'shop' });

    // WHEN the root is in default, and WHEN it is in blog
    const fromDefault = run(checkDestinations, [...base, delegate, virtualService('root', [{ delegate: { name: 'api', namespace: 'shop' } }], { hosts: ['website'], gateways: ['mesh'] })]);
    const fromBlog = run(checkDestinations, [...base, delegate, virtualService('root', [{ delegate: { name: 'api', namespace: 'shop' } }], { ns: 'blog', hosts: ['website.default.svc.cluster.local'], gateways: ['mesh'] })]);

    // THEN the route is usable through the root of default, not through the root of blog
    expect(fromDefault.filter((f) => f.name === 'api')).toEqual([]);
    expect(fromBlog.filter((f) => f.name === 'api').map((f) => f.code)).toEqual(['host-not-exported']);
  });
});
