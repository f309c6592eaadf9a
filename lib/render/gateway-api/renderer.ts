import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { checkGatewayApiServers, gatewayApiListeners, gatewayParentRefs, httpsRedirectRules, routeHostnames } from './gateway';
import { GatewayApiGateway, GatewayApiHttpRoute } from './objects';
import { checkGatewayApiRelease } from './release';
import { renderGatewayApiRules, rulesForParent } from './routes';
import { versionServices } from './version-services';
import { ISTIO_GATEWAY_CLASS } from '../../model/names';
import { TrafficApi, unsupportedFeature, USE_ISTIO_API } from '../../model/traffic-api';
import { checkDnsLabel, checkDnsSubdomain, MAX_SUBDOMAIN, show } from '../../model/validate';
import type { EntryApiProps, EntryModel, EntryRouteObjects, ReleaseModel, TrafficRenderer } from '../renderer';

const API = TrafficApi.GATEWAY_API;
/** The names of the HTTP-to-HTTPS redirect route and of the in-mesh route: the entry's route name and these. */
const REDIRECT_SUFFIX = '-https-redirect';
const MESH_SUFFIX = '-mesh';

/**
 * The Kubernetes Gateway API: a Gateway, HTTPRoutes bound to it (and to the website's Service, for
 * in-mesh traffic), and one Service per version for the routes to send to.
 */
export const GATEWAY_API_RENDERER: TrafficRenderer = {
  checkEntryProps(props: EntryApiProps, mesh: boolean): void {
    if (props.selector !== undefined) {
      throw unsupportedFeature('selector', API, 'Istio deploys a gateway for each Gateway of its GatewayClass, so no pods are selected', `leave selector out and choose the gatewayClassName, or ${USE_ISTIO_API}`);
    }
    if (props.virtualServiceName !== undefined) {
      throw unsupportedFeature('virtualServiceName', API, 'the routing is an HTTPRoute, not a VirtualService', 'name it with routeName instead');
    }
    if (props.gatewayClassName !== undefined) {
      checkDnsSubdomain('gatewayClassName', props.gatewayClassName);
    }
    if (props.waypoint !== undefined) {
      checkDnsLabel('waypoint', props.waypoint);
      if (!mesh) {
        throw new Error(`waypoint routes in-mesh calls, but the entry is not bound to mesh, got waypoint ${show(props.waypoint)}; set mesh: true, or leave waypoint out`);
      }
    }
  },

  checkServers: checkGatewayApiServers,

  gateway(scope: Construct, entry: EntryModel) {
    const className = entry.gatewayClassName ?? ISTIO_GATEWAY_CLASS;
    const gatewayApiGateway = new GatewayApiGateway(scope, 'Gateway', {
      metadata: entry.gatewayName !== undefined ? { name: entry.gatewayName } : {},
      spec: { gatewayClassName: className, listeners: gatewayApiListeners(entry.servers, className) },
    });
    return { name: gatewayApiGateway.name, gatewayApiGateway };
  },

  routes(scope: Construct, entry: EntryModel, gatewayName: string): EntryRouteObjects {
    if (entry.routeName !== undefined) {
      checkDnsSubdomain('routeName', entry.routeName);
      // The redirect and mesh routes are named after it, and must fit in 253 characters too.
      const longest = entry.servers.some((s) => s.httpsRedirect) ? REDIRECT_SUFFIX : entry.meshGateway !== undefined ? MESH_SUFFIX : '';
      if (entry.routeName.length + longest.length > MAX_SUBDOMAIN) {
        throw new Error(`routeName must be at most ${MAX_SUBDOMAIN - longest.length} characters here (the route ${entry.routeName.slice(0, 8)}…${longest} is named after it, and a name holds ${MAX_SUBDOMAIN}), got ${entry.routeName.length} characters`);
      }
    }
    const context = { port: entry.port };
    const hostnames = routeHostnames(entry.hosts);
    const httpRoute = new GatewayApiHttpRoute(scope, 'Resource', {
      metadata: entry.routeName !== undefined ? { name: entry.routeName } : {},
      spec: {
        parentRefs: gatewayParentRefs(gatewayName, entry.servers, false),
        ...hostnames,
        // Rendered at synthesis, so that a release attached later still reaches the output.
        rules: Lazy.any({ produce: () => renderGatewayApiRules(rulesForParent(entry.rules(), gatewayName), context) }),
      },
    });
    const redirectHttpRoute = !entry.servers.some((s) => s.httpsRedirect) ? undefined : new GatewayApiHttpRoute(scope, 'HttpsRedirect', {
      metadata: { name: `${httpRoute.name}${REDIRECT_SUFFIX}` },
      spec: { parentRefs: gatewayParentRefs(gatewayName, entry.servers, true), ...hostnames, rules: httpsRedirectRules(entry.servers, entry.hosts) },
    });
    const meshGateway = entry.meshGateway;
    if (meshGateway === undefined) {
      return { httpRoute, redirectHttpRoute };
    }
    // GAMMA: a route whose parent is the Service applies to in-mesh calls to it.
    const meshHttpRoute = new GatewayApiHttpRoute(scope, 'MeshRoute', {
      metadata: { name: `${httpRoute.name}${MESH_SUFFIX}` },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: entry.serviceName, port: entry.port }],
        rules: Lazy.any({ produce: () => renderGatewayApiRules(rulesForParent(entry.rules(), meshGateway), context) }),
      },
    });
    return { httpRoute, redirectHttpRoute, meshHttpRoute };
  },

  checkRelease: checkGatewayApiRelease,

  release(scope: Construct, release: ReleaseModel) {
    return { versionServices: versionServices(scope, release) };
  },
};
