/**
 * How istiod builds the HTTP route configuration of an Istio Gateway (pilot's
 * `buildGatewayHTTPRouteConfig` in `pilot/pkg/networking/core/gateway.go`): one virtual host per
 * hostname, made from every VirtualService bound to the Gateway, whose routes the gateway proxy
 * tries in order. Explain follows a request through these virtual hosts; the checks ask which
 * hosts a Gateway's servers take for a VirtualService.
 */
import { hostIntersection, hostServes, hostSpecificity, hostsOverlap } from '../model/hosts';
import { HttpMatchJson } from '../model/match-json';
import { mergedHttpRules } from './delegates';
import { envoyCatchAll, matchKeptOn } from './http-match';
import { HttpRouteJson } from './json';
import { configHost, GatewayInfo, VirtualServiceInfo } from './manifests';

/** A Gateway server as the checks and explain read it. */
type Server = GatewayInfo['servers'][number];

/**
 * A server's hosts as istiod keeps them (pilot's `sanitizeServerHostNamespace`): `./host` is the
 * Gateway's namespace's, `*\/host` is `host`, `*\/*` is `*`; `ns/host` stays as written.
 */
export function sanitizedServerHosts(hosts: readonly string[], gatewayNamespace: string): string[] {
  return hosts.map((h) => {
    const slash = h.indexOf('/');
    if (slash < 0) {
      return h;
    }
    const ns = h.slice(0, slash);
    const name = h.slice(slash + 1);
    return ns === '.' ? `${gatewayNamespace}/${name}` : ns === '*' ? name : h;
  });
}

/**
 * The hosts a server takes for VirtualServices of `vsNamespace` (pilot's `NamesForNamespace`): a
 * host written `ns/host` only for namespace `ns`, its namespace part left out.
 */
export function serverHostsFor(server: Server, gatewayNamespace: string, vsNamespace: string): string[] {
  return sanitizedServerHosts(server.hosts, gatewayNamespace).flatMap((h) => {
    const slash = h.indexOf('/');
    if (slash < 0) {
      return [h];
    }
    return h.slice(0, slash) === vsNamespace ? [h.slice(slash + 1)] : [];
  });
}

/** A VirtualService's hosts as pilot completes them (`ResolveVirtualServiceShortnames`): `shop` in namespace `shop` is `shop.shop.svc.cluster.local`. */
export function completedHosts(vs: VirtualServiceInfo): string[] {
  return vs.hosts.map((h) => configHost(h, vs.ref.namespace));
}

/** The hostnames one server of `gateway` gives the routes of `vs`: its hosts for the namespace of `vs` met with the completed hosts of `vs`. */
export function serverDomains(gateway: GatewayInfo, server: Server, vs: VirtualServiceInfo): string[] {
  return hostIntersection(serverHostsFor(server, gateway.ref.namespace, vs.ref.namespace), completedHosts(vs));
}

/** One route of a Gateway's virtual host: a match of a VirtualService's HTTP rule. */
export interface GatewayRoute {
  readonly vs: VirtualServiceInfo;
  /** The rule, 0-based among the HTTP rules of `vs`. */
  readonly rule: number;
  /** The match, `undefined` for a rule without matches; for a rule that delegates, merged with the delegate's. */
  readonly match: HttpMatchJson | undefined;
  /**
   * For a rule that delegates, the delegate's rule that takes its place (`rule` is 0-based among
   * the delegate's http rules) and the two merged, as istiod merges them.
   * @default - the rule does not delegate
   */
  readonly delegate?: { readonly vs: VirtualServiceInfo; readonly rule: number; readonly merged: HttpRouteJson | undefined };
}

/** A virtual host of a Gateway's route configuration. */
export interface GatewayVirtualHost {
  /** Its domain, lower case. */
  readonly domain: string;
  /** The VirtualServices whose routes it has, in order. */
  readonly virtualServices: VirtualServiceInfo[];
  /** Its routes in the order the proxy tries them. */
  readonly routes: GatewayRoute[];
  /** Whether a server of it sets `tls.httpsRedirect` (Envoy's `require_tls: ALL`). */
  readonly httpsRedirect: boolean;
  /** The ports of the servers that set `tls.httpsRedirect` for it. */
  readonly redirectPorts: number[];
}

/**
 * The routes a VirtualService gives a Gateway on a port (pilot's
 * `BuildHTTPRoutesForVirtualService` with `TranslateRoute`): every match of every HTTP rule,
 * without those on another port or for other gateways; after the first route that takes every
 * request, the rest are left out. With the port unknown, a match on a port is kept (explain then
 * says it cannot judge it) and does not end the list. Given the VirtualServices of the manifests
 * (`all`), a rule that delegates gives the routes of its delegate's rules, merged with it (see
 * `mergedHttpRules`); without them, the rules as written.
 */
export function routesForGateway(vs: VirtualServiceInfo, gateway: string, port: number | undefined, all?: readonly VirtualServiceInfo[]): GatewayRoute[] {
  const out: GatewayRoute[] = [];
  const rules = all === undefined ? vs.http.map((json, rule) => ({ rule, json, delegate: undefined })) : mergedHttpRules(all, vs).rules;
  for (const { rule: i, json: rule, delegate } of rules) {
    const matches: ReadonlyArray<HttpMatchJson | undefined> = Array.isArray(rule?.match) && rule.match.length > 0 ? rule.match : [undefined];
    let catchAll = !(Array.isArray(rule?.match) && rule.match.length > 0);
    for (const match of matches) {
      if (!matchKeptOn(match, port, gateway, vs.ref.namespace)) {
        continue;
      }
      out.push({ vs, rule: i, match, ...(delegate !== undefined ? { delegate: { ...delegate, merged: rule } } : {}) });
      if (envoyCatchAll(match) && (port !== undefined || match?.port === undefined)) {
        catchAll = true;
        break;
      }
    }
    if (catchAll) {
      break;
    }
  }
  return out;
}

/**
 * The virtual hosts of an Istio Gateway for requests on `port` (every server's when unknown), as
 * pilot's `buildGatewayHTTPRouteConfig` makes them: for each server and each VirtualService bound
 * to the Gateway (in the order given), the routes of the VirtualService go to the virtual host of
 * each hostname where the server's hosts meet the VirtualService's; a server with
 * `tls.httpsRedirect` marks its virtual hosts, and makes one for each of its hosts no
 * VirtualService serves. Catch-all routes then go last (pilot's `SortVHostRoutes`).
 */
export function gatewayVirtualHosts(gateway: GatewayInfo, bound: readonly VirtualServiceInfo[], port: number | undefined, all?: readonly VirtualServiceInfo[]): GatewayVirtualHost[] {
  const byDomain = new Map<string, { domain: string; virtualServices: VirtualServiceInfo[]; routes: GatewayRoute[]; httpsRedirect: boolean; redirectPorts: number[] }>();
  const routesOf = new Map<VirtualServiceInfo, GatewayRoute[]>();
  const markRedirect = (vhost: { httpsRedirect: boolean; redirectPorts: number[] }, server: Server) => {
    vhost.httpsRedirect = true;
    const serverPort = Number(server.port?.number);
    if (!vhost.redirectPorts.includes(serverPort)) {
      vhost.redirectPorts.push(serverPort);
    }
  };
  for (const server of gateway.servers.filter((s) => port === undefined || Number(s.port?.number) === port)) {
    const redirects = server.tls?.httpsRedirect === true;
    for (const vs of bound) {
      const domains = serverDomains(gateway, server, vs);
      if (domains.length === 0) {
        continue;
      }
      let routes = routesOf.get(vs);
      if (routes === undefined) {
        routes = routesForGateway(vs, `${gateway.ref.namespace}/${gateway.ref.name}`, port, all);
        routesOf.set(vs, routes);
      }
      // Pilot leaves out a VirtualService that gives no route ("no routes matched").
      if (routes.length === 0) {
        continue;
      }
      for (const domain of domains.map((d) => d.toLowerCase())) {
        let vhost = byDomain.get(domain);
        if (vhost === undefined) {
          vhost = { domain, virtualServices: [], routes: [], httpsRedirect: false, redirectPorts: [] };
          byDomain.set(domain, vhost);
        }
        vhost.routes.push(...routes);
        if (!vhost.virtualServices.includes(vs)) {
          vhost.virtualServices.push(vs);
        }
        if (redirects) {
          markRedirect(vhost, server);
        }
      }
    }
    if (redirects) {
      // Pilot makes a virtual host of each server host as written; one still written `ns/host` names no Host a request can have.
      for (const domain of sanitizedServerHosts(server.hosts, gateway.ref.namespace).filter((h) => !h.includes('/')).map((h) => h.toLowerCase())) {
        let vhost = byDomain.get(domain);
        if (vhost === undefined) {
          vhost = { domain, virtualServices: [], routes: [], httpsRedirect: false, redirectPorts: [] };
          byDomain.set(domain, vhost);
        }
        markRedirect(vhost, server);
      }
    }
  }
  return [...byDomain.values()].map((v) => ({ ...v, routes: sortVirtualHostRoutes(v.routes) }));
}

/** Pilot's `SortVHostRoutes`: routes that take every request go last, the others keep their order. */
export function sortVirtualHostRoutes(routes: readonly GatewayRoute[]): GatewayRoute[] {
  return [...routes.filter((r) => !envoyCatchAll(r.match)), ...routes.filter((r) => envoyCatchAll(r.match))];
}

/**
 * The virtual host the proxy picks for a request's Host (as Envoy does, ignoring case): an exact
 * domain, else the longest wildcard that takes it. A host not given (`*`) takes the most
 * specific domain that overlaps it.
 */
export function virtualHostFor(vhosts: readonly GatewayVirtualHost[], host: string): GatewayVirtualHost | undefined {
  const wanted = host.toLowerCase();
  let best: GatewayVirtualHost | undefined;
  for (const vhost of vhosts) {
    const takes = wanted === '*' ? hostsOverlap(vhost.domain, wanted) : hostServes(vhost.domain, wanted);
    if (takes && (best === undefined || hostSpecificity(vhost.domain) > hostSpecificity(best.domain))) {
      best = vhost;
    }
  }
  return best;
}
