import { describe, expect, test } from 'vitest';
import {
  checkConflicts, checkDestinations, checkGateways, checkRules, checkServicesAndWorkloads, checkSubsets,
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

  test('finds a host that matches no Service (IST0101)', () => {
    const manifests = withObject(vsWith([{ route: [route('webiste', 'version-1')] }]));
    expect(codes(checkDestinations, manifests)).toEqual(['error unknown-host VirtualService/website-virtual-service']);
  });

  test('near miss: a host declared by a ServiceEntry, exactly or by wildcard', () => {
    const entry = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext' }, spec: { hosts: ['api.example.com', '*.cdn.example.com'] } };
    const manifests = withObject(vsWith([{ route: [route('api.example.com', undefined, 50), route('img.cdn.example.com', undefined, 50)] }]), [...tutorial(), entry]);
    expect(run(checkDestinations, manifests)).toEqual([]);
  });

  test('resolves short, namespaced and fully qualified hosts to the same Service', () => {
    for (const host of ['website', 'website.default', 'website.default.svc', 'website.default.svc.cluster.local']) {
      const manifests = withObject(vsWith([{ route: [route(host, 'version-1')] }]));
      expect(run(checkDestinations, manifests), host).toEqual([]);
    }
  });

  test('honours namespaces: a short host resolves in the VirtualService\'s namespace', () => {
    const manifests = withObject(vsWith([{ route: [route('website', 'version-1')] }], { ns: 'shop' }));
    expect(codes(checkDestinations, manifests)).toEqual(['error unknown-host VirtualService/website-virtual-service']);
    const qualified = withObject(vsWith([{ route: [route('website.default', 'version-1')] }], { ns: 'shop' }));
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
  });
});

describe('checkGateways', () => {
  test('finds a gateway that is not defined (IST0101)', () => {
    const manifests = withObject(vsWith([{ route: [route('website', 'version-1')] }], { gateways: ['website-gw'] }));
    const [f] = run(checkGateways, manifests);
    expect(f).toMatchObject({ severity: 'error', code: 'unknown-gateway', istioCode: 'IST0101' });
    expect(f.message).toContain('gateways names "default/website-gw", which is not defined');
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
  test('finds two VirtualServices bound to the mesh for the same host (IST0109)', () => {
    const a = virtualService('a', [{ route: [route('website', 'version-1')] }], { hosts: ['website'], gateways: ['mesh'] });
    const b = virtualService('b', [{ route: [route('website', 'version-2')] }], { hosts: ['website.default.svc.cluster.local'], gateways: null });
    const [f] = run(checkConflicts, [...tutorial(), a, b]);
    expect(f).toMatchObject({ severity: 'error', code: 'conflicting-mesh-virtualservices', istioCode: 'IST0109', name: 'b' });
    expect(f.message).toContain('also bound to the mesh by VirtualService default/a');
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
