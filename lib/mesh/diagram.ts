import { describeRule } from './describe';
import { routeShares } from './http-match';
import { missingPart } from './explain';
import { describeGrpcMatch, describeRouteMatch, grpcRoutes } from './explain-gateway-api';
import { GrpcRouteMatchJson, RouteMatchJson } from './json';
import { GATEWAY_API_GROUP, Manifest, MeshIndex, RouteInfo, serviceHost, VirtualServiceInfo, visibleIn } from './manifests';
import { GatewayVirtualHost, gatewayVirtualHosts, routesForGateway } from './gateway-hosts';
import { MESH_GATEWAY } from '../model/names';
import { attachedListeners, isService, parentGateway, parentKind } from './gateway-api-checks';
import { AnsweredRequest, describeUrlRewrite, filtersOf, gatewayApiRedirect, isObject, istioRedirect, schemeOf } from './rule-answers';

/**
 * A Mermaid flowchart of the routing: Gateways → VirtualService rules (HTTP, TCP and TLS, with their matches) →
 * subsets (with weights) → Deployments (with replicas), and Gateway API Gateways (or, in the
 * mesh, Services) → HTTPRoute and GRPCRoute rules → Services (with weights) → Deployments. Mirrors are dotted
 * edges; a rule that answers by itself (a redirect, a direct response) points to a rounded node
 * with the answer instead of its destinations. GitHub renders it in a `mermaid` block.
 */
export function mermaidDiagram(manifests: readonly Manifest[]): string {
  const index = new MeshIndex(manifests);
  const lines = ['flowchart LR'];
  const ids = new Map<string, string>();
  const edges = new Set<string>();
  const id = (key: string, declare: (nodeId: string) => string) => {
    let nodeId = ids.get(key);
    if (nodeId === undefined) {
      nodeId = `n${ids.size}`;
      ids.set(key, nodeId);
      lines.push(`  ${declare(nodeId)}`);
    }
    return nodeId;
  };
  const label = (...parts: string[]) => `"${parts.map(escape).join('<br/>')}"`;

  // The workloads behind a destination node, each edge drawn once.
  const workloadsOf = (targetId: string, host: string, subset: string | undefined) => {
    for (const w of index.workloadsBehind(host, subset)) {
      const replicas = w.replicas === undefined ? 'one pod per node' : `${w.replicas} ${w.replicas === 1 ? 'replica' : 'replicas'}`;
      const wId = id(`w:${w.ref.kind}/${w.ref.namespace}/${w.ref.name}`, (n) => `${n}[(${label(`${w.ref.kind} ${w.ref.namespace}/${w.ref.name}`, replicas)})]`);
      if (!edges.has(`${targetId}->${wId}`)) {
        edges.add(`${targetId}->${wId}`);
        lines.push(`  ${targetId} --> ${wId}`);
      }
    }
  };
  const vsKey = (namespace: string, name: string) => `vs:${namespace}/${name}`;
  const vsNode = (vs: VirtualServiceInfo) => id(vsKey(vs.ref.namespace, vs.ref.name), (n) => `${n}[${label(`VirtualService ${vs.ref.namespace}/${vs.ref.name}`, vs.hosts.length > 0 ? `hosts: ${vs.hosts.join(', ')}` : 'delegate (no hosts)')}]`);
  // Through an Istio Gateway, a VirtualService gets requests only where a server takes its hosts (the virtual hosts explain follows).
  const virtualHosts = new Map<string, GatewayVirtualHost[]>();
  const takenBy = (vs: VirtualServiceInfo, gw: string): boolean => {
    const gateway = index.gateways.get(gw);
    if (gw === MESH_GATEWAY || gateway === undefined) {
      return true;
    }
    let vhosts = virtualHosts.get(gw);
    if (vhosts === undefined) {
      vhosts = gatewayVirtualHosts(gateway, index.virtualServices.filter((v) => v.gateways.includes(gw)), undefined);
      virtualHosts.set(gw, vhosts);
    }
    return vhosts.some((v) => v.virtualServices.includes(vs));
  };
  // A VirtualService without hosts is a delegate: Istio binds it to nothing, and merges its rules into the rule that delegates to it.
  const delegateEdges: Array<{ ruleId: string; namespace: string; name: string; from: string }> = [];
  for (const vs of index.virtualServices) {
    const entrances = vs.hosts.length === 0 ? [] : vs.gateways.filter((gw) => takenBy(vs, gw));
    const gwIds = entrances.map((gw) => (gw === MESH_GATEWAY
      ? id('gw:mesh', (n) => `${n}((${label('mesh')}))`)
      : id(`gw:${gw}`, (n) => `${n}[/${label(`Gateway ${gw}`)}/]`)));
    const vsId = vs.hosts.length > 0 && entrances.length === 0
      ? id(vsKey(vs.ref.namespace, vs.ref.name), (n) => `${n}[${label(`VirtualService ${vs.ref.namespace}/${vs.ref.name}`, `hosts: ${vs.hosts.join(', ')}`, `no server of ${vs.gateways.join(', ')} takes these hosts: no requests`)}]`)
      : vsNode(vs);
    gwIds.forEach((gwId) => lines.push(`  ${gwId} --> ${vsId}`));
    // The http rules Istio makes routes of for some entrance: none after a rule that takes every request.
    const kept = new Set((vs.hosts.length === 0 ? [MESH_GATEWAY] : entrances).flatMap((gw) => routesForGateway(vs, gw, undefined).map((r) => r.rule)));
    const destinations = index.destinationsOf(vs);
    // What the gateways tell of the requests, for the location of a redirect: scheme and port when they agree.
    const servers = vs.gateways.map((gw) => (gw === MESH_GATEWAY ? [{ protocol: 'HTTP', port: undefined }]
      : (index.gateways.get(gw)?.servers ?? []).map((sv) => ({ protocol: sv.port?.protocol, port: sv.port?.number }))));
    const ports = [...new Set(servers.flat().map((sv) => sv.port))];
    const scheme = schemeOf(servers.flat().map((sv) => sv.protocol));
    const named = vs.hosts.filter((h) => !h.includes('*'));
    const asked: AnsweredRequest = {
      host: named.length === 1 && vs.hosts.length === 1 ? named[0] : '*',
      path: '<path>',
      ...(ports.length === 1 && ports[0] !== undefined ? { port: ports[0] } : {}),
      ...(scheme !== undefined ? { scheme } : {}),
    };
    // HTTP rules are "rule N" as they always were; TCP and TLS rules say their kind.
    const rules = (['http', 'tcp', 'tls'] as const).flatMap((kind) => vs[kind].map((rule, i) => ({ kind, rule, i })))
      .filter(({ kind, i }) => kind !== 'http' || kept.has(i));
    rules.forEach(({ kind, rule, i }) => {
      const title = `${kind === 'http' ? '' : `${kind} `}rule ${i + 1}${typeof rule?.name === 'string' ? ` ${rule.name}` : ''}`;
      const ruleId = id(`rule:${vs.ref.namespace}/${vs.ref.name}/${kind}/${i}`, (n) => `${n}{${label(title, describeRule(rule))}}`);
      lines.push(`  ${vsId} --> ${ruleId}`);
      // Istio answers a redirect, then a direct response, before it routes or mirrors.
      const http = kind === 'http' ? vs.http[i] : undefined;
      const answer = isObject(http?.redirect) ? answerText(istioRedirect(http.redirect, asked))
        : isObject(http?.directResponse) ? ['direct response', `${Number(http.directResponse.status)}`] : undefined;
      if (answer !== undefined) {
        lines.push(`  ${ruleId} --> ${id(`answer:${vs.ref.namespace}/${vs.ref.name}/${i}`, (n) => `${n}([${label(...answer)}])`)}`);
        return;
      }
      if (kind === 'http' && isObject(http?.delegate) && typeof http.delegate.name === 'string') {
        delegateEdges.push({ ruleId, namespace: typeof http.delegate.namespace === 'string' ? http.delegate.namespace : vs.ref.namespace, name: http.delegate.name, from: vs.ref.namespace });
      }
      const ofRule = destinations.filter((d) => d.kind === kind && d.rule === i);
      const routes = ofRule.filter((d) => !d.mirror);
      const shares = routeShares(routes);
      const targets = [
        ...routes.map((r, k) => ({ destination: r.destination, edge: `-->|${Math.round(shares[k])}%|` })),
        ...ofRule.filter((d) => d.mirror).map((d) => ({ destination: d.destination, edge: '-.->|mirror|' })),
      ];
      for (const d of targets) {
        const host = index.resolveHost(String(d.destination.host ?? ''), vs.ref.namespace);
        const subset: string | undefined = d.destination.subset;
        const missing = missingPart(index, host, subset);
        // What does not exist is drawn as a dead end (an asymmetric node), never as a subset with pods.
        const targetId = missing === undefined
          ? id(`dest:${host}#${subset ?? ''}`, (n) => `${n}[${label(subset !== undefined ? `subset ${subset}` : 'any pod', host)}]`)
          : id(`missing:${host}#${subset ?? ''}`, (n) => `${n}>${label(missing === 'host' ? `host not defined: ${host}` : `subset ${subset} not defined`, missing === 'host' ? 'no Service or ServiceEntry' : host, '503')}]`);
        lines.push(`  ${ruleId} ${d.edge} ${targetId}`);
        workloadsOf(targetId, host, subset);
      }
    });
  }
  for (const { ruleId, namespace, name, from } of delegateEdges) {
    // Istio leaves out a rule whose delegate does not exist, has hosts, or is not exported to the root's namespace.
    const delegate = index.virtualServices.find((v) => v.ref.namespace === namespace && v.ref.name === name && v.hosts.length === 0);
    const targetId = delegate === undefined ? id(`missing-vs:${namespace}/${name}`, (n) => `${n}>${label(`no delegate VirtualService ${namespace}/${name}`, '(one without hosts)', 'rule left out')}]`)
      : !visibleIn(delegate.exportTo, from) ? id(`hidden-vs:${namespace}/${name}:${from}`, (n) => `${n}>${label(`VirtualService ${namespace}/${name} not exported to ${from}`, 'rule left out')}]`)
        : vsNode(delegate);
    lines.push(`  ${ruleId} -->|delegate| ${targetId}`);
  }
  const apiGatewayId = (key: string, defined: boolean) => (defined
    ? id(`apigw:${key}`, (n) => `${n}[/${label(`Gateway API Gateway ${key}`)}/]`)
    : id(`apigw-missing:${key}`, (n) => `${n}>${label(`Gateway API Gateway ${key} not defined`)}]`));
  for (const key of index.apiGateways.keys()) {
    apiGatewayId(key, true);
  }
  const routes: RouteInfo[] = [...index.httpRoutes, ...grpcRoutes(index)];
  for (const route of routes) {
    const grpc = route.ref.kind === 'GRPCRoute';
    const routeKey = `${route.ref.namespace}/${route.ref.name}`;
    const keyPrefix = grpc ? 'grpc' : 'http';
    const routeId = id(`${keyPrefix}route:${routeKey}`, (n) => `${n}[${label(`${route.ref.kind} ${routeKey}`, `hostnames: ${route.hostnames.join(', ') || 'any'}`)}]`);
    // What the parents tell of the requests, for the location of a redirect: scheme and port when they agree.
    const entrances: Array<{ protocol: string | undefined; port: number | undefined }> = [];
    for (const p of route.parentRefs) {
      const namespace = p.namespace ?? route.ref.namespace;
      const { group, kind } = parentKind(p);
      const gateway = parentGateway(index, route, p);
      const service = isService(p, 'Gateway');
      entrances.push(...(gateway !== undefined ? attachedListeners(gateway, p).map((l) => ({ protocol: l.protocol, port: l.port }))
        : [{ protocol: service ? 'HTTP' : undefined, port: p.port }]));
      let parentId: string | undefined;
      if (group === GATEWAY_API_GROUP && kind === 'Gateway') {
        parentId = apiGatewayId(`${namespace}/${p.name}`, gateway !== undefined);
      } else if (service) {
        parentId = id(`meshsvc:${namespace}/${p.name}`, (n) => `${n}((${label('mesh', `Service ${namespace}/${p.name}`)}))`);
      }
      if (parentId !== undefined && !edges.has(`${parentId}->${routeId}`)) {
        edges.add(`${parentId}->${routeId}`);
        lines.push(`  ${parentId} --> ${routeId}`);
      }
    }
    const ports = [...new Set(entrances.map((e) => e.port))];
    const hosts = route.hostnames.filter((h) => !h.includes('*'));
    const scheme = schemeOf(entrances.map((e) => e.protocol));
    const asked: AnsweredRequest = {
      host: hosts.length === 1 && route.hostnames.length === 1 ? hosts[0] : '*',
      path: '<path>',
      ...(ports.length === 1 && ports[0] !== undefined ? { port: ports[0] } : {}),
      ...(scheme !== undefined ? { scheme } : {}),
    };
    route.rules.forEach((rule, i) => {
      // A GRPCRoute's matches are gRPC methods and headers; it has neither redirects nor rewrites.
      const written: unknown[] = Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches : [{}];
      const matches = grpc ? [] : written as Array<RouteMatchJson | undefined>;
      const described = grpc ? written.map((m) => describeGrpcMatch(isObject(m) ? m as GrpcRouteMatchJson : undefined)) : matches.map((m) => describeRouteMatch(m ?? {}));
      const title = `rule ${i + 1}${typeof rule.name === 'string' ? ` ${rule.name}` : ''}`;
      const filters = filtersOf(rule);
      const rewriting = grpc ? undefined : filters.find((f) => f.type === 'URLRewrite' && isObject(f.urlRewrite))?.urlRewrite;
      const rewrite = rewriting !== undefined ? describeUrlRewrite(rewriting, matches.length === 1 ? matches[0] ?? {} : undefined) : undefined;
      const ruleId = id(`${keyPrefix}rule:${routeKey}/${i}`, (n) => `${n}{${label(title, described.join(' or '), ...(rewrite !== undefined ? [`rewrites ${rewrite}`] : []))}}`);
      lines.push(`  ${routeId} --> ${ruleId}`);
      const answerId = (answer: string[]) => id(`answer:${keyPrefix}:${routeKey}/${i}`, (n) => `${n}([${label(...answer)}])`);
      // Istio answers a redirect before it looks at the backends, and mirrors only what it sends on.
      const redirecting = grpc ? undefined : filters.find((f) => f.type === 'RequestRedirect' && isObject(f.requestRedirect))?.requestRedirect;
      if (redirecting !== undefined) {
        lines.push(`  ${ruleId} --> ${answerId(answerText(gatewayApiRedirect(redirecting, matches.length === 1 ? matches[0] ?? {} : undefined, asked)))}`);
        return;
      }
      const all = (Array.isArray(rule.backendRefs) ? rule.backendRefs : []).filter((b) => b !== null && typeof b === 'object');
      if (all.every((b) => b.weight === 0)) {
        lines.push(`  ${ruleId} --> ${answerId(['direct response', '500', all.length === 0 ? 'no backendRefs' : 'every backend has weight 0'])}`);
        return;
      }
      const isService = (b: { group?: string; kind?: string }) => (b.group ?? '') === '' && (b.kind ?? 'Service') === 'Service';
      const backends = all.filter(isService);
      const weights = backends.map((b) => (typeof b.weight === 'number' ? b.weight : 1));
      const total = weights.reduce((a, b) => a + b, 0);
      const mirrors = filters.filter((f) => f.type === 'RequestMirror' && isObject(f.requestMirror?.backendRef) && isService(f.requestMirror.backendRef))
        .map((f) => f.requestMirror!.backendRef!);
      const targets = [
        ...backends.map((b, k) => ({ ref: b, edge: `-->|${total > 0 ? Math.round((weights[k] / total) * 100) : 0}%|` })),
        ...mirrors.map((b) => ({ ref: b, edge: '-.->|mirror|' })),
      ];
      for (const { ref, edge } of targets) {
        const host = serviceHost(ref.name, ref.namespace ?? route.ref.namespace);
        // A backend Service that does not exist is a dead end: the Gateway API answers 500.
        const targetId = index.services.has(host)
          ? id(`dest:${host}#`, (n) => `${n}[${label('any pod', host)}]`)
          : id(`missing-backend:${host}`, (n) => `${n}>${label(`Service not defined: ${host}`, '500')}]`);
        lines.push(`  ${ruleId} ${edge} ${targetId}`);
        workloadsOf(targetId, host, undefined);
      }
    });
  }
  // Other Gateway API routes (TCPRoute, TLSRoute, GRPCRoutes of versions not read) are not drawn.
  const drawn = new Set(routes.map((r) => `${r.ref.kind}/${r.ref.namespace}/${r.ref.name}`));
  for (const o of index.gatewayApi.filter((a) => a.ref.kind !== 'Gateway' && !drawn.has(`${a.ref.kind}/${a.ref.namespace}/${a.ref.name}`))) {
    const what = o.ref.kind;
    id(`api:${o.ref.kind}/${o.ref.namespace}/${o.ref.name}`, (n) => `${n}>${label(`warning: ${what} ${o.ref.namespace}/${o.ref.name} is not drawn`, `${what}s are not modelled: routing may differ`)}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** `301 redirect` and its location, whose parts taken from the request are placeholders. */
function answerText(redirect: { status: number; location: string }): string[] {
  return [`${redirect.status} redirect`, redirect.location];
}

/** Mermaid labels are quoted: quotes and angle brackets become entities. */
function escape(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
