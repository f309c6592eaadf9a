import {
  GatewaySpecListeners,
  GatewaySpecListenersTlsMode,
  HttpRouteSpecParentRefs,
  HttpRouteSpecRules,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
} from '../../../imports/gateway.networking.k8s.io';
import { hostIntersection, hostServes } from '../../model/hosts';
import { ISTIO_GATEWAY_CLASS } from '../../model/names';
import { ServerModel } from '../../model/servers';
import { TrafficApi, unsupportedFeature, USE_ISTIO_API } from '../../model/traffic-api';

/**
 * The entry's servers as Gateway API `listeners`, and the redirect from HTTP to HTTPS.
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#listener
 */

const API = TrafficApi.GATEWAY_API;
/**
 * The listener option that Istio reads for the TLS mode of a terminating listener: with `MUTUAL`
 * it asks clients for a certificate, and checks it against the CA of the certificate's Secret
 * (its `ca.crt` or `cacert` key, or a Secret `<name>-cacert`), as the Istio API's `MUTUAL` does.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/#configure-a-mutual-tls-ingress-gateway
 */
export const TLS_TERMINATE_MODE = 'gateway.istio.io/tls-terminate-mode';

/** The most listeners a Gateway holds (the v1.5.1 CRD's `maxItems`). */
export const MAX_LISTENERS = 64;
/** The most `parentRefs` an HTTPRoute holds (the CRD's `maxItems`). */
export const MAX_PARENT_REFS = 32;
/** The most `hostnames` an HTTPRoute holds (the CRD's `maxItems`). */
export const MAX_HOSTNAMES = 16;

/**
 * Checks that every server can be a Gateway API listener.
 *
 * @throws naming the server's prop, the API and the alternative
 */
export function checkGatewayApiServers(servers: readonly ServerModel[]): void {
  if (servers.length > MAX_LISTENERS) {
    throw unsupportedFeature(`servers with ${servers.length} servers`, API, `a Gateway holds at most ${MAX_LISTENERS} listeners, one per server`, `give a server several hosts instead of one each, or ${USE_ISTIO_API}`);
  }
  const redirecting = servers.filter((s) => s.httpsRedirect).length;
  if (redirecting > MAX_PARENT_REFS) {
    throw unsupportedFeature(`servers with ${redirecting} redirecting servers`, API, `the redirect HTTPRoute attaches to each of their listeners, and an HTTPRoute holds at most ${MAX_PARENT_REFS} parentRefs`, `give a server several hosts instead of one each, or ${USE_ISTIO_API}`);
  }
  if (redirecting > 0 && servers.length - redirecting > MAX_PARENT_REFS) {
    throw unsupportedFeature(`servers with ${servers.length - redirecting} servers that do not redirect`, API, `beside a redirecting server, the HTTPRoute attaches to each of their listeners, and an HTTPRoute holds at most ${MAX_PARENT_REFS} parentRefs`, `give a server several hosts instead of one each, or ${USE_ISTIO_API}`);
  }
  servers.forEach((server, i) => {
    if (server.protocol === 'HTTP2') {
      throw unsupportedFeature(`servers[${i}].protocol HTTP2`, API, 'a listener\'s protocol is HTTP or HTTPS; there is no HTTP/2-only listener', `use GatewayProtocol.HTTP (clients may still upgrade), or ${USE_ISTIO_API}`);
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(server.name)) {
      throw new Error(`servers[${i}].portName must be a DNS-1123 label with the Gateway API, as it names a listener, got "${server.name}"`);
    }
  });
}

/** Istio's own GatewayClass, the only one known to read Istio's listener options. */

/**
 * One listener per server. A server for one host gets it as the listener's `hostname`; a server
 * for several hosts, or for `*`, gets none, and the HTTPRoutes' `hostnames` narrow it. A `MUTUAL`
 * server gets Istio's listener option `gateway.istio.io/tls-terminate-mode: MUTUAL`.
 *
 * @param gatewayClassName the Gateway's class: `MUTUAL` is refused with another class than `istio`,
 * whose implementation might ignore the option and serve without asking for client certificates
 */
export function gatewayApiListeners(servers: readonly ServerModel[], gatewayClassName: string = ISTIO_GATEWAY_CLASS): GatewaySpecListeners[] {
  checkGatewayApiServers(servers);
  servers.forEach((server, i) => {
    if (server.tls?.mode === 'MUTUAL' && gatewayClassName !== ISTIO_GATEWAY_CLASS) {
      throw unsupportedFeature(`servers[${i}].tls.mode MUTUAL with gatewayClassName "${gatewayClassName}"`, API, `the listener asks for client certificates through Istio's option ${TLS_TERMINATE_MODE}, and an implementation other than Istio's class "${ISTIO_GATEWAY_CLASS}" may ignore it and accept clients without one`, `use gatewayClassName "${ISTIO_GATEWAY_CLASS}", or ${USE_ISTIO_API}`);
    }
  });
  const seen = new Map<string, number>();
  servers.forEach((server, i) => {
    const key = `${server.port}/${server.protocol}/${listenerHostname(server) ?? ''}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new Error(`servers[${i}] and servers[${other}] would be listeners with the same port, protocol and hostname, which a Gateway API Gateway refuses, got port ${server.port} ${server.protocol} for hosts ${server.hosts.join(', ')}; give each server on a port a single host of its own`);
    }
    seen.set(key, i);
  });
  return servers.map((server) => ({
    name: server.name,
    ...(listenerHostname(server) !== undefined ? { hostname: listenerHostname(server) } : {}),
    port: server.port,
    protocol: server.protocol,
    ...(server.tls !== undefined ? {
      // The Secret sits in the Gateway's namespace (Istio deploys the gateway there).
      tls: {
        mode: GatewaySpecListenersTlsMode.TERMINATE,
        certificateRefs: [{ kind: 'Secret', name: server.tls.credentialName }],
        ...(server.tls.mode === 'MUTUAL' ? { options: { [TLS_TERMINATE_MODE]: 'MUTUAL' } } : {}),
      },
    } : {}),
  }));
}

function listenerHostname(server: ServerModel): string | undefined {
  return server.hosts.length === 1 && server.hosts[0] !== '*' ? server.hosts[0] : undefined;
}

/**
 * The route hostnames for the entry's hosts: none for `*` (any host).
 *
 * @throws when there are more than an HTTPRoute holds
 */
export function routeHostnames(hosts: readonly string[]): { hostnames?: string[] } {
  if (hosts.includes('*')) {
    return {};
  }
  if (hosts.length > MAX_HOSTNAMES) {
    throw unsupportedFeature(`hosts with ${hosts.length} hosts`, API, `an HTTPRoute holds at most ${MAX_HOSTNAMES} hostnames`, `cover several hosts with a wildcard (e.g. *.example.com), or ${USE_ISTIO_API}`);
  }
  return { hostnames: [...hosts] };
}

/** `parentRefs` to the Gateway's listeners of the kind wanted: redirecting ones or the others. */
export function gatewayParentRefs(gatewayName: string, servers: readonly ServerModel[], redirecting: boolean): HttpRouteSpecParentRefs[] {
  const anyRedirect = servers.some((s) => s.httpsRedirect);
  if (!anyRedirect && !redirecting) {
    return [{ name: gatewayName }];
  }
  return servers.filter((s) => s.httpsRedirect === redirecting).map((s) => ({ name: gatewayName, sectionName: s.name }));
}

/** The port a redirect to `https` goes to when it names none (the v1.5.1 spec's well-known port). */
const HTTPS_DEFAULT_PORT = 443;

/**
 * The rule of the route that answers plain HTTP with a redirect to HTTPS (301, as Istio's
 * `httpsRedirect`).
 *
 * A `RequestRedirect` with a scheme and no port sends to the scheme's well-known port, 443 (Istio
 * converts it to `FROM_PROTOCOL_DEFAULT`), so the port is written when the HTTPS listeners are on
 * another one. One route redirects every host, so the port is one where HTTPS serves every
 * redirected host: 443 when it does, else the lowest such port.
 *
 * @param servers the entry's servers
 * @param hosts the entry's hosts (the route's hostnames)
 * @throws when HTTPS servers exist but no single port of theirs serves every redirected host
 */
export function httpsRedirectRules(servers: readonly ServerModel[], hosts: readonly string[]): HttpRouteSpecRules[] {
  const port = redirectPort(servers, hosts);
  return [{
    filters: [{
      type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
      requestRedirect: {
        scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
        ...(port !== HTTPS_DEFAULT_PORT ? { port } : {}),
        statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301,
      },
    }],
  }];
}

function redirectPort(servers: readonly ServerModel[], hosts: readonly string[]): number {
  const httpsServers = servers.filter((s) => s.protocol === 'HTTPS');
  if (httpsServers.length === 0) {
    return HTTPS_DEFAULT_PORT;
  }
  // The hosts that the redirecting listeners take, within the route's hostnames.
  const redirecting = servers.filter((s) => s.httpsRedirect);
  const redirected = new Set<string>();
  for (const server of redirecting) {
    hostIntersection(server.hosts, hosts).forEach((host) => redirected.add(host));
  }
  const ports = [...new Set(httpsServers.map((s) => s.port))].sort((a, b) => a - b);
  const servesAll = (port: number) => [...redirected].every((host) =>
    httpsServers.some((s) => s.port === port && s.hosts.some((serverHost) => hostServes(serverHost, host))));
  const fitting = ports.filter(servesAll);
  if (fitting.length === 0) {
    const i = servers.indexOf(redirecting[0]);
    const byPort = ports.map((port) => `${port} (${httpsServers.filter((s) => s.port === port).flatMap((s) => s.hosts).join(', ')})`).join(', ');
    throw new Error(`servers[${i}].httpsRedirect sends every redirected host to one HTTPS port with the Gateway API, but no HTTPS port serves all of ${[...redirected].join(', ')}, got HTTPS servers on ${byPort}; serve every redirected host on one HTTPS port, or narrow the redirecting server's hosts`);
  }
  return fitting.includes(HTTPS_DEFAULT_PORT) ? HTTPS_DEFAULT_PORT : fitting[0];
}
