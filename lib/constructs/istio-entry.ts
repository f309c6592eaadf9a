import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { hostServes } from '../model/hosts';
import { directRules, HttpRule } from '../model/routing';
import { ServerModel } from '../model/servers';
import { TrafficApi } from '../model/traffic-api';
import { EntryModel } from '../render/renderer';
import { rendererFor } from '../render/renderers';
import { duplicateHostsProblem, gatewayNameProblem, ISTIO_GATEWAY_CLASS, istioGatewayDeploymentProblem, MAX_ISTIO_GATEWAY_NAME } from '../mesh/istio-validation';
import { checkBoolean, checkDnsSubdomain, checkEnum, checkHost, checkLabels, checkOptions, checkPort, checkUnique, show } from '../model/validate';
import { AppVerification } from './verification';
import { Website } from './website';
import { MESH_GATEWAY } from '../model/names';

export { MESH_GATEWAY };

/** The label that sends a Service's in-mesh traffic through a waypoint, in ambient mode. */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';

export { TrafficApi } from '../model/traffic-api';

/**
 * Protocol of a Gateway server (the plain-text ones; TLS servers need certificates).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Port
 */
export enum GatewayProtocol {
  /** HTTP/1.1 (and HTTP/2 by upgrade). */
  HTTP = 'HTTP',
  /** HTTP/2 without TLS. */
  HTTP2 = 'HTTP2',
  /** HTTP over TLS, terminated at the gateway (needs `tls`). */
  HTTPS = 'HTTPS',
}

/**
 * How the gateway terminates TLS.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode
 */
export enum TlsMode {
  /** Standard TLS: the gateway presents its certificate. */
  SIMPLE = 'SIMPLE',
  /**
   * Mutual TLS: clients must present a certificate signed by the CA in the credential (its
   * `ca.crt`, or a Secret `<credentialName>-cacert`). With the Gateway API, the listener option
   * `gateway.istio.io/tls-terminate-mode: MUTUAL`, for the GatewayClass `istio` only.
   */
  MUTUAL = 'MUTUAL',
}

/** TLS settings of an HTTPS server. */
export interface GatewayTls {
  /**
   * Name of the Kubernetes Secret holding the certificate and key (`tls.crt`, `tls.key`), in the
   * ingress gateway's namespace. The key never appears in the manifests.
   * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
   */
  readonly credentialName: string;
  /**
   * TLS mode.
   * @default TlsMode.SIMPLE
   */
  readonly mode?: TlsMode;
}

/** One server (listener) of the entry's Gateway. */
export interface GatewayServer {
  /**
   * Port the ingress gateway listens on.
   * @default 80
   */
  readonly port?: number;

  /**
   * Protocol of the port.
   * @default GatewayProtocol.HTTP
   */
  readonly protocol?: GatewayProtocol;

  /**
   * Name of the port, unique within the Gateway.
   * @default - the protocol in lower case, e.g. `http`
   */
  readonly portName?: string;

  /**
   * Hosts this server accepts.
   * @default - the entry's hosts
   */
  readonly hosts?: string[];

  /**
   * TLS settings; required for HTTPS.
   * @default - none (plain text)
   */
  readonly tls?: GatewayTls;

  /**
   * Answer every request on this (HTTP) server with a redirect to HTTPS.
   * @default false
   */
  readonly httpsRedirect?: boolean;
}

/** HTTPS for the entry, with plain HTTP redirected to it. */
export interface EntryTlsOptions {
  /** The Secret holding the certificate and key, in the ingress gateway's namespace. */
  readonly credentialName: string;
  /**
   * Also listen on port 80 and redirect to HTTPS.
   * @default true
   */
  readonly redirectHttp?: boolean;
}

/** A routing source for an entry: what a `CanaryRelease` provides. */
export interface IHttpRouteSource {
  /** The construct path, for messages. */
  readonly node: { readonly path: string };
  /** The HTTP rules to render, in order. */
  httpRules(): HttpRule[];
}

/** Props of an `IstioEntry`. */
export interface IstioEntryProps {
  /** The website that traffic goes to. */
  readonly website: Website;

  /**
   * Hosts that the entry accepts, as clients name them (`www.example.com`, `*.example.com`,
   * `*` for any).
   * @default ["*"]
   */
  readonly hosts?: string[];

  /**
   * Labels that select the ingress gateway pods which apply the Gateway.
   * @default `{ istio: 'ingressgateway' }`
   */
  readonly selector?: Record<string, string>;

  /**
   * The Gateway's servers.
   * @default - one HTTP server on port 80 for the entry's hosts
   */
  readonly servers?: GatewayServer[];

  /**
   * Serve the hosts over HTTPS on port 443 with this certificate, and redirect HTTP on port 80 to
   * it. A shorthand for the two `servers`; give one or the other.
   * @default - plain HTTP on port 80
   */
  readonly tls?: EntryTlsOptions;

  /**
   * Also apply the routing rules to traffic inside the mesh (the reserved `mesh` gateway).
   * The hosts may then not include `*`, and the website's Service name is added to them so that
   * in-mesh calls to it are routed too.
   * @default false
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService-gateways
   */
  readonly mesh?: boolean;

  /**
   * Name of the Gateway.
   * @default - derived from the construct path, as cdk8s names objects
   */
  readonly gatewayName?: string;

  /**
   * Name of the VirtualService (Istio API only).
   * @default - derived from the construct path, as cdk8s names objects
   */
  readonly virtualServiceName?: string;

  /**
   * The API the routing is written for: Istio's Gateway, VirtualService and DestinationRule, or
   * the Kubernetes Gateway API's Gateway and HTTPRoutes (with one Service per version). A feature
   * the chosen API cannot express is refused with a message naming the alternative.
   * @default TrafficApi.ISTIO
   */
  readonly api?: TrafficApi;

  /**
   * The GatewayClass of the Gateway (Gateway API only). With `istio`, Istio deploys and runs a
   * gateway for the Gateway itself, so there is no `selector`.
   * @default 'istio'
   * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/
   */
  readonly gatewayClassName?: string;

  /**
   * Name of the HTTPRoute for traffic through the Gateway (Gateway API only). In-mesh traffic gets
   * `<name>-mesh`, the HTTP-to-HTTPS redirect `<name>-https-redirect`.
   * @default - derived from the construct path, as cdk8s names objects
   */
  readonly routeName?: string;

  /**
   * In ambient mode, label the website's Services (the site-wide one and each version's) with
   * `istio.io/use-waypoint: <waypoint>`, so that in-mesh calls to them go through that waypoint,
   * which applies the in-mesh HTTPRoute (Gateway API only, with `mesh: true`). The cluster must run
   * Istio in ambient mode, the namespace must be enrolled (`istio.io/dataplane-mode: ambient`), and
   * the waypoint deployed (`istioctl waypoint apply --name <waypoint>`).
   * @default - no label: sidecars apply the in-mesh routing, ambient pods ignore it (refused at
   * synthesis when the app holds the website's Namespace enrolled in ambient mode)
   * @see https://istio.io/latest/docs/ambient/usage/waypoint/
   */
  readonly waypoint?: string;
}

/**
 * The way into a website: an Istio Gateway and the VirtualService bound to it, or, with
 * `api: TrafficApi.GATEWAY_API`, a Gateway API Gateway and the HTTPRoutes bound to it (and to the
 * Service, for in-mesh traffic).
 *
 * With no release attached, the VirtualService sends every request to the website's Service.
 * A `CanaryRelease` replaces those rules with its own: Istio allows one VirtualService per host,
 * so the release routes through this entry's VirtualService instead of making a second one.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 */
export class IstioEntry extends Construct {
  /** The website that traffic goes to. */
  public readonly website: Website;
  /** The API the routing is written for. */
  public readonly api: TrafficApi;
  /** The Istio Gateway (`networking.istio.io/v1`); `undefined` with the Gateway API. */
  public readonly gateway?: ApiObject;
  /** The VirtualService (`networking.istio.io/v1`); `undefined` with the Gateway API. */
  public readonly virtualService?: ApiObject;
  /** The Gateway API Gateway (`gateway.networking.k8s.io/v1`); `undefined` with the Istio API. */
  public readonly gatewayApiGateway?: ApiObject;
  /** The HTTPRoute for traffic through the Gateway; `undefined` with the Istio API. */
  public readonly httpRoute?: ApiObject;
  /** The HTTPRoute for in-mesh traffic (with `mesh` and the Gateway API only). */
  public readonly meshHttpRoute?: ApiObject;
  /** Name of the Gateway, whichever API it is written for. */
  public readonly gatewayName: string;
  /** The waypoint the website's Services are labelled with, if any. */
  public readonly waypoint?: string;
  /** Whether the rules also apply to in-mesh traffic. */
  public readonly mesh: boolean;

  /**
   * Whether every request through the gateway arrives over HTTPS: the entry has an HTTPS server,
   * and its plain HTTP servers only redirect to HTTPS.
   */
  public readonly httpsOnly: boolean;

  private readonly _hosts: string[];
  private routeSource?: IHttpRouteSource;

  public constructor(scope: Construct, id: string, props: IstioEntryProps) {
    super(scope, id);
    if (!(props.website instanceof Website)) {
      throw new Error(`website must be a Website construct, got ${show(props.website)}`);
    }
    this.website = props.website;
    this.mesh = checkBoolean('mesh', props.mesh) ?? false;
    this.api = checkEnum('api', props.api ?? TrafficApi.ISTIO, TrafficApi);
    const renderer = rendererFor(this.api);
    renderer.checkEntryProps(props, this.mesh);
    this.waypoint = props.waypoint;

    const hosts = props.hosts ?? ['*'];
    if (!Array.isArray(hosts) || hosts.length === 0) {
      throw new Error(`hosts must list at least one host, got ${show(hosts)}`);
    }
    hosts.forEach((host, i) => checkHost(`hosts[${i}]`, host));
    checkUnique('hosts', hosts);
    if (this.mesh && hosts.includes('*')) {
      throw new Error('hosts must not contain "*" when mesh is true: in-mesh routing needs real host names (a "*" host cannot apply to sidecars); name the hosts, e.g. ["www.example.com"]');
    }
    const overlap = duplicateHostsProblem(hosts);
    if (overlap !== undefined) {
      throw new Error(`hosts ${overlap}, got ${show(hosts)}; Istio's webhook rejects such a VirtualService: keep the wider host only`);
    }
    this._hosts = [...hosts];
    const serviceHost = this.website.serviceName;
    const vsHosts = this.mesh && !hosts.includes(serviceHost) ? [...hosts, serviceHost] : [...hosts];

    const selector = checkLabels('selector', props.selector ?? { istio: 'ingressgateway' });
    if (Object.keys(selector).length === 0) {
      throw new Error('selector must hold at least one label, got {}: an empty selector would apply the Gateway to every gateway workload');
    }
    checkOptions('tls', props.tls, "{ credentialName: 'www-cert' }");
    if (props.tls !== undefined && props.servers !== undefined) {
      throw new Error('tls and servers cannot both be given: tls is a shorthand for an HTTPS server and an HTTP redirect; describe both in servers instead');
    }
    const servers = this.serverModels(props.servers ?? (props.tls !== undefined ? tlsServers(props.tls) : [{}]), hosts);
    this.httpsOnly = servers.some((server) => server.protocol === GatewayProtocol.HTTPS)
      && servers.every((server) => server.protocol === GatewayProtocol.HTTPS || server.httpsRedirect);
    renderer.checkServers(servers);

    if (props.gatewayName !== undefined) {
      const problem = typeof props.gatewayName === 'string' ? gatewayNameProblem(props.gatewayName) : 'must be a string';
      if (problem !== undefined) {
        throw new Error(`gatewayName ${problem}, got ${show(props.gatewayName)}`);
      }
    }
    if (props.virtualServiceName !== undefined) {
      checkDnsSubdomain('virtualServiceName', props.virtualServiceName);
    }

    const model: EntryModel = {
      hosts: this._hosts,
      routeHosts: vsHosts,
      servers,
      selector,
      serviceName: serviceHost,
      port: this.website.port,
      rules: () => this.httpRules(),
      ...(this.mesh ? { meshGateway: MESH_GATEWAY } : {}),
      ...(props.gatewayName !== undefined ? { gatewayName: props.gatewayName } : {}),
      ...(props.virtualServiceName !== undefined ? { virtualServiceName: props.virtualServiceName } : {}),
      ...(props.routeName !== undefined ? { routeName: props.routeName } : {}),
      ...(props.gatewayClassName !== undefined ? { gatewayClassName: props.gatewayClassName } : {}),
    };
    const gateway = renderer.gateway(this, model);
    this.gateway = gateway.gateway;
    this.gatewayApiGateway = gateway.gatewayApiGateway;
    this.gatewayName = gateway.name;
    checkGeneratedGatewayName(props, this.gatewayName);
    if (this.api === TrafficApi.GATEWAY_API && (props.gatewayClassName ?? ISTIO_GATEWAY_CLASS) === ISTIO_GATEWAY_CLASS) {
      checkIstioGatewayDeploymentName(props, this.gatewayName);
    }
    const routes = renderer.routes(this, model, this.gatewayName);
    this.virtualService = routes.virtualService;
    this.httpRoute = routes.httpRoute;
    this.meshHttpRoute = routes.meshHttpRoute;
    const verification = AppVerification.of(this);
    for (const object of [this.gateway, this.gatewayApiGateway, routes.redirectHttpRoute]) {
      if (object !== undefined) {
        verification.adopt(object, { tellsRendering: true });
      }
    }
    // The objects that route requests: their chart is verified against the rest of the app.
    for (const object of [this.virtualService, this.httpRoute, this.meshHttpRoute]) {
      if (object !== undefined) {
        verification.adopt(object, { routes: true, tellsRendering: true });
      }
    }
    this.labelWithWaypoint(this.website.service);
  }

  /** The hosts that the entry accepts (a copy). */
  public get hosts(): string[] {
    return [...this._hosts];
  }

  /** The gateways the VirtualService is bound to, `mesh` included when set. */
  public get gateways(): string[] {
    return this.mesh ? [this.gatewayName, MESH_GATEWAY] : [this.gatewayName];
  }

  /**
   * Labels `service` with the entry's waypoint, if it has one (ambient mode).
   */
  public labelWithWaypoint(service: Construct): void {
    if (this.waypoint !== undefined) {
      ApiObject.of(service).metadata.addLabel(USE_WAYPOINT_LABEL, this.waypoint);
    }
  }

  /** The HTTP rules of the VirtualService as they stand now. */
  public httpRules(): HttpRule[] {
    return this.routeSource?.httpRules() ?? directRules(this.website.serviceName);
  }

  /**
   * Lets `source` (a `CanaryRelease`) decide the VirtualService's HTTP rules.
   *
   * @throws if another source already routes this entry
   */
  public routeWith(source: IHttpRouteSource): void {
    if (this.routeSource !== undefined && this.routeSource !== source) {
      throw new Error(`entry must be routed by one release only: ${source.node.path} cannot route ${this.node.path}, already routed by ${this.routeSource.node.path}`);
    }
    this.routeSource = source;
  }

  private serverModels(servers: GatewayServer[], hosts: string[]): ServerModel[] {
    if (!Array.isArray(servers) || servers.length === 0) {
      throw new Error(`servers must list at least one server, got ${show(servers)}`);
    }
    const rendered = servers.map((server, i) => {
      checkOptions(`servers[${i}]`, server, '{ port: 443, protocol: GatewayProtocol.HTTPS }');
      checkOptions(`servers[${i}].tls`, server.tls, "{ credentialName: 'www-cert' }");
      checkBoolean(`servers[${i}].httpsRedirect`, server.httpsRedirect);
      const protocol = checkEnum(`servers[${i}].protocol`, server.protocol ?? GatewayProtocol.HTTP, GatewayProtocol);
      const serverHosts = server.hosts ?? hosts;
      if (!Array.isArray(serverHosts) || serverHosts.length === 0) {
        throw new Error(`servers[${i}].hosts must list at least one host, got ${show(serverHosts)}`);
      }
      serverHosts.forEach((host, j) => checkHost(`servers[${i}].hosts[${j}]`, host));
      return {
        port: checkPort(`servers[${i}].port`, server.port ?? (protocol === GatewayProtocol.HTTPS ? 443 : 80)),
        name: checkDnsSubdomain(`servers[${i}].portName`, server.portName ?? protocol.toLowerCase()),
        protocol,
        hosts: [...serverHosts],
        ...serverTls(i, protocol, server),
      };
    });
    checkUnique('servers port names', rendered.map((s) => s.name));
    for (const host of hosts) {
      if (!rendered.some((s) => s.hosts.some((serverHost) => hostServes(serverHost, host)))) {
        throw new Error(`hosts contains "${host}", which no Gateway server serves (servers' hosts: ${rendered.map((s) => s.hosts.join(', ')).join('; ')}); add it to a server's hosts`);
      }
    }
    return rendered;
  }
}

function tlsServers(tls: EntryTlsOptions): GatewayServer[] {
  return [
    { port: 443, protocol: GatewayProtocol.HTTPS, tls: { credentialName: tls.credentialName } },
    ...((checkBoolean('tls.redirectHttp', tls.redirectHttp) ?? true) ? [{ port: 80, protocol: GatewayProtocol.HTTP, httpsRedirect: true }] : []),
  ];
}

function serverTls(i: number, protocol: GatewayProtocol, server: GatewayServer): { tls?: ServerModel['tls']; httpsRedirect: boolean } {
  if (protocol === GatewayProtocol.HTTPS) {
    if (server.tls === undefined || typeof server.tls.credentialName !== 'string') {
      throw new Error(`servers[${i}] uses HTTPS and needs tls.credentialName: the Secret with the certificate and key, in the ingress gateway's namespace (never the key itself)`);
    }
    if (server.httpsRedirect) {
      throw new Error(`servers[${i}].httpsRedirect is for HTTP servers; this one is HTTPS already`);
    }
    const mode = checkEnum(`servers[${i}].tls.mode`, server.tls.mode ?? TlsMode.SIMPLE, TlsMode);
    return { tls: { mode, credentialName: checkDnsSubdomain(`servers[${i}].tls.credentialName`, server.tls.credentialName) }, httpsRedirect: false };
  }
  if (server.tls !== undefined) {
    throw new Error(`servers[${i}].tls needs protocol HTTPS, got ${protocol}`);
  }
  return { httpsRedirect: server.httpsRedirect === true };
}

function checkGeneratedGatewayName(props: IstioEntryProps, name: string): void {
  if (props.gatewayName === undefined && gatewayNameProblem(name) !== undefined) {
    // cdk8s keeps dots of construct ids in generated names; Istio refuses them in a Gateway name.
    throw new Error(`gatewayName must be given when the generated Gateway name is not a DNS-1123 label (Istio rejects dots in Gateway names), got generated name ${show(name)}; set gatewayName, or use construct ids without dots`);
  }
}

/** Istio deploys a Gateway API Gateway of class `istio` as `<name>-istio`, which must be a valid Service name. */
function checkIstioGatewayDeploymentName(props: IstioEntryProps, name: string): void {
  const problem = istioGatewayDeploymentProblem(name);
  if (problem === undefined) {
    return;
  }
  const allowed = `at most ${MAX_ISTIO_GATEWAY_NAME} characters, starting with a letter`;
  if (props.gatewayName !== undefined) {
    throw new Error(`gatewayName ${problem}, got ${show(name)}; give a name of ${allowed}`);
  }
  throw new Error(`gatewayName must be given when the generated Gateway name is too long for Istio's deployment: the generated name ${show(name)} ${problem}; set gatewayName (${allowed}), or use shorter construct ids`);
}
