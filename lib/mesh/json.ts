/**
 * The Istio and Kubernetes JSON that the mesh checks read, typed as the APIs define it. A manifest
 * may hold anything, so the code still checks each value before it relies on it (`Array.isArray`,
 * `typeof`, `String(...)`): these types say what a field is meant to be, not what was written.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 */
import type { HttpMatchJson, StringMatchJson } from '../model/match-json';

export type { HttpMatchJson, StringMatchJson };

/** A JSON object as written: its fields hold whatever the manifest holds. */
export interface JsonObject {
  readonly [field: string]: unknown;
}

/** A Kubernetes `ServicePort`, the fields the checks read. */
export interface ServicePortJson {
  readonly name?: string;
  readonly port?: number;
  readonly appProtocol?: string;
  readonly protocol?: string;
}

/** A `PortSelector`. */
export interface PortSelectorJson {
  readonly number?: number;
}

/** A `Destination`: a host, optionally a subset and a port. */
export interface DestinationJson {
  readonly host?: string;
  readonly subset?: string;
  readonly port?: PortSelectorJson;
}

/** A `Percent`. */
export interface PercentJson {
  readonly value?: number;
}

/** An `HTTPRouteDestination`, `RouteDestination` (TCP and TLS) alike: a destination and its weight. */
export interface RouteDestinationJson {
  readonly destination?: DestinationJson;
  readonly weight?: number;
}

/** An `HTTPMirrorPolicy`. */
export interface HttpMirrorJson {
  readonly destination?: DestinationJson;
  readonly percentage?: PercentJson;
}

/** The `L4MatchAttributes` of a TCP rule and the `TLSMatchAttributes` of a TLS rule. */
export interface L4MatchJson {
  readonly port?: number;
  readonly sourceLabels?: Readonly<Record<string, string>>;
  readonly gateways?: readonly string[];
  readonly sourceNamespace?: string;
  readonly destinationSubnets?: readonly string[];
  readonly sourceSubnet?: string;
  readonly sniHosts?: readonly string[];
  readonly [field: string]: unknown;
}

/**
 * An `HTTPRedirect`: the parts of the location that change (the others keep the request's) and the
 * status, 301 by default.
 */
export interface HttpRedirectJson {
  readonly uri?: string;
  readonly authority?: string;
  readonly port?: number;
  /** `FROM_PROTOCOL_DEFAULT` or `FROM_REQUEST_PORT`. */
  readonly derivePort?: string;
  readonly scheme?: string;
  readonly redirectCode?: number;
}

/** An `HTTPDirectResponse`: a status, and optionally a body. */
export interface HttpDirectResponseJson {
  readonly status?: number;
  readonly body?: { readonly string?: string; readonly bytes?: string };
}

/** An `HTTPRewrite`: what is rewritten before the request is forwarded. */
export interface HttpRewriteJson {
  readonly uri?: string;
  readonly authority?: string;
  readonly uriRegexRewrite?: { readonly match?: string; readonly rewrite?: string };
}

/** An `HTTPRoute` (a VirtualService's HTTP rule); the fields the checks read are typed. */
export interface HttpRouteJson {
  readonly name?: string;
  readonly match?: readonly HttpMatchJson[];
  readonly route?: readonly RouteDestinationJson[];
  readonly redirect?: HttpRedirectJson;
  readonly directResponse?: HttpDirectResponseJson;
  readonly rewrite?: HttpRewriteJson;
  readonly delegate?: { readonly name?: string; readonly namespace?: string };
  readonly mirror?: DestinationJson;
  readonly mirrorPercentage?: PercentJson;
  readonly mirrors?: readonly HttpMirrorJson[];
  readonly [field: string]: unknown;
}

/** A `TCPRoute` or `TLSRoute` (a VirtualService's TCP or TLS rule). */
export interface L4RouteJson {
  readonly name?: string;
  readonly match?: readonly L4MatchJson[];
  readonly route?: readonly RouteDestinationJson[];
  readonly [field: string]: unknown;
}

/** A rule of any of the three kinds, as the code that treats them alike reads it. */
export type RuleJson = HttpRouteJson | L4RouteJson;

/** A match of any of the three kinds of rules. */
export type MatchJson = HttpMatchJson | L4MatchJson;

/** A Gateway server's `port`. */
export interface ServerPortJson {
  readonly number?: number;
  readonly name?: string;
  readonly protocol?: string;
}

/** A Gateway server's `tls` settings (`ServerTLSSettings`), the fields that say where its certificate is. */
export interface ServerTlsJson {
  readonly mode?: string;
  readonly credentialName?: string;
  readonly credentialNames?: readonly string[];
  readonly serverCertificate?: string;
  readonly tlsCertificates?: readonly object[];
  readonly [field: string]: unknown;
}

/** A Gateway `Server`. */
export interface ServerJson {
  readonly hosts?: readonly string[];
  readonly port?: ServerPortJson;
  readonly tls?: ServerTlsJson;
}

/**
 * A Gateway API `ParentReference`: a Gateway (the default) or, for mesh routing (GAMMA), a Service.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#parentreference
 */
export interface ParentRefJson {
  readonly group?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly sectionName?: string;
  readonly port?: number;
}

/** A Gateway API `HTTPBackendRef`: a Service (the default), its port and weight (1 by default). */
export interface BackendRefJson {
  readonly group?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly port?: number;
  readonly weight?: number;
  /** Filters applied only to what this backend receives (`HTTPBackendRef.filters`). */
  readonly filters?: readonly RouteFilterJson[];
}

/** A Gateway API `HTTPHeaderFilter` (`RequestHeaderModifier`, `ResponseHeaderModifier`). */
export interface HeaderModifierJson {
  readonly set?: ReadonlyArray<{ readonly name?: string; readonly value?: string }>;
  readonly add?: ReadonlyArray<{ readonly name?: string; readonly value?: string }>;
  readonly remove?: readonly string[];
}

/** A Gateway API header or query parameter match. */
export interface NameValueMatchJson {
  readonly type?: string;
  readonly name?: string;
  readonly value?: string;
}

/** A Gateway API `HTTPRouteMatch`. */
export interface RouteMatchJson {
  readonly path?: { readonly type?: string; readonly value?: string };
  readonly headers?: readonly NameValueMatchJson[];
  readonly queryParams?: readonly NameValueMatchJson[];
  readonly method?: string;
}

/**
 * A Gateway API `GRPCRouteMatch`: a gRPC method (`service` and `method`, `Exact` by default or
 * `RegularExpression`) and headers.
 */
export interface GrpcRouteMatchJson {
  readonly method?: { readonly type?: string; readonly service?: string; readonly method?: string };
  readonly headers?: readonly NameValueMatchJson[];
}

/**
 * A Gateway API `HTTPPathModifier`: `ReplaceFullPath` or `ReplacePrefixMatch` (the matched
 * `PathPrefix`), with the value of that name.
 */
export interface PathModifierJson {
  readonly type?: string;
  readonly replaceFullPath?: string;
  readonly replacePrefixMatch?: string;
}

/**
 * A Gateway API `HTTPRequestRedirectFilter`: the parts of the `Location` that change (the others
 * keep the request's) and the status, 302 by default.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprequestredirectfilter
 */
export interface RequestRedirectJson {
  readonly scheme?: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly path?: PathModifierJson;
  readonly statusCode?: number;
}

/**
 * A Gateway API `HTTPRequestMirrorFilter`: a backend and the share of requests copied to it
 * (`percent`, or a `fraction` whose denominator is 100 by default; all of them when neither is set).
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprequestmirrorfilter
 */
export interface RequestMirrorJson {
  readonly backendRef?: BackendRefJson;
  readonly percent?: number;
  readonly fraction?: { readonly numerator?: number; readonly denominator?: number };
}

/** A Gateway API `HTTPURLRewriteFilter`: the host and path the request is forwarded with. */
export interface UrlRewriteJson {
  readonly hostname?: string;
  readonly path?: PathModifierJson;
}

/** A Gateway API `HTTPRouteFilter`; the filters that change where or how a request goes are typed. */
export interface RouteFilterJson {
  readonly type?: string;
  readonly requestRedirect?: RequestRedirectJson;
  readonly requestMirror?: RequestMirrorJson;
  readonly urlRewrite?: UrlRewriteJson;
  readonly requestHeaderModifier?: HeaderModifierJson;
  readonly responseHeaderModifier?: HeaderModifierJson;
  readonly [field: string]: unknown;
}

/**
 * A rule of any Gateway API route the checks read (`HTTPRouteRule`, `GRPCRouteRule`,
 * `TLSRouteRule`): its name and where it sends traffic. A TLSRoute rule has no filters; of a
 * GRPCRoute rule's filters, only `RequestMirror` is read.
 */
export interface BackendRuleJson {
  readonly name?: string;
  readonly filters?: readonly RouteFilterJson[];
  readonly backendRefs?: readonly BackendRefJson[];
  readonly [field: string]: unknown;
}

/** A Gateway API `HTTPRouteRule`; the fields the checks read are typed. */
export interface RouteRuleJson extends BackendRuleJson {
  readonly matches?: readonly RouteMatchJson[];
}

/** A Gateway API `GRPCRouteRule`; the fields explain reads are typed. */
export interface GrpcRouteRuleJson extends BackendRuleJson {
  readonly matches?: readonly GrpcRouteMatchJson[];
}

/** A Gateway API `Listener`. */
/** A Kubernetes label selector: every `matchLabels` pair and every `matchExpressions` condition must hold. */
export interface LabelSelectorJson {
  /** Labels that must all be present with these values. */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /** `In`, `NotIn`, `Exists` and `DoesNotExist` conditions. */
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: readonly string[] }>;
}

export interface ListenerJson {
  readonly name?: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly protocol?: string;
  /**
   * Which routes may attach: from the `Same` namespace (the default), `All`, or those a `Selector`
   * picks by their labels; of the `kinds` listed (by default those of the listener's protocol).
   */
  readonly allowedRoutes?: {
    readonly namespaces?: { readonly from?: string; readonly selector?: LabelSelectorJson };
    readonly kinds?: ReadonlyArray<{ readonly group?: string; readonly kind?: string } | undefined>;
  };
  /** How the listener handles TLS: `Terminate` (the default) with the certificates of `certificateRefs`, or `Passthrough`. */
  readonly tls?: {
    readonly mode?: string;
    readonly certificateRefs?: ReadonlyArray<GrantRefJson | undefined>;
    readonly options?: Readonly<Record<string, string>>;
  };
}

/** A `ReferenceGrantFrom` or `ReferenceGrantTo`. */
export interface GrantRefJson {
  readonly group?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}
