import type { ApiObject } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { RequestMatch } from '../model/match';
import type { HttpRule } from '../model/routing';
import type { ServerModel } from '../model/servers';
import type { TrafficPolicyOptions } from '../model/traffic-policy';

/*
 * The seam between the constructs and the APIs: the constructs check their props into the
 * API-neutral values below and hand them to the renderer of the entry's `TrafficApi` (see
 * `renderers.ts`), which refuses what its API cannot express and adds its objects to the scope it
 * is given. A new API is a folder under lib/render/ with a `TrafficRenderer`, and one line in the
 * registry.
 */

/** The entry props that only some APIs use, as the user gave them (for the renderer's refusals). */
export interface EntryApiProps {
  /** Labels selecting the ingress gateway pods. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Name of the VirtualService. */
  readonly virtualServiceName?: string;
  /** The GatewayClass of the Gateway. */
  readonly gatewayClassName?: string;
  /** Name of the route through the Gateway. */
  readonly routeName?: string;
  /** The waypoint of the website's Services. */
  readonly waypoint?: string;
}

/** The release props that only some APIs use, as the user gave them (for the renderer's refusals). */
export interface ReleaseApiProps {
  /** Retries. */
  readonly retries?: unknown;
  /** Fault injection. */
  readonly canaryFault?: unknown;
  /** Traffic policy of every version. */
  readonly trafficPolicy?: unknown;
  /** Traffic policy per version. */
  readonly versionTrafficPolicies?: unknown;
  /** Name of the DestinationRule. */
  readonly destinationRuleName?: unknown;
}

/** An entry, checked: what every renderer gets to write its Gateway and routes. */
export interface EntryModel {
  /** The hosts the entry accepts. */
  readonly hosts: readonly string[];
  /** The hosts the routing applies to: the entry's, and the website's Service name when bound to mesh. */
  readonly routeHosts: readonly string[];
  /** The entry's servers. */
  readonly servers: readonly ServerModel[];
  /** Labels selecting the ingress gateway pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** The GatewayClass, if given. */
  readonly gatewayClassName?: string;
  /** Name of the Gateway, if given (else cdk8s derives it from the construct path). */
  readonly gatewayName?: string;
  /** Name of the VirtualService, if given. */
  readonly virtualServiceName?: string;
  /** Name of the route through the Gateway, if given. */
  readonly routeName?: string;
  /** The website's Service name. */
  readonly serviceName: string;
  /** The website's Service port. */
  readonly port: number;
  /** The gateway name that rules use for in-mesh traffic; set only when the entry is bound to mesh. */
  readonly meshGateway?: string;
  /** The entry's HTTP rules as they stand at synthesis (a release attached later replaces them). */
  readonly rules: () => HttpRule[];
}

/** The Gateway a renderer wrote, under the entry's public property of its API. */
export interface EntryGatewayObjects {
  /** The Gateway's name, given or generated, that the routes bind to. */
  readonly name: string;
  /** An Istio Gateway. */
  readonly gateway?: ApiObject;
  /** A Gateway API Gateway. */
  readonly gatewayApiGateway?: ApiObject;
}

/** The routes a renderer wrote, under the entry's public properties of its API. */
export interface EntryRouteObjects {
  /** An Istio VirtualService. */
  readonly virtualService?: ApiObject;
  /** The Gateway API HTTPRoute through the Gateway. */
  readonly httpRoute?: ApiObject;
  /** The Gateway API HTTPRoute for in-mesh traffic. */
  readonly meshHttpRoute?: ApiObject;
  /** The Gateway API HTTPRoute that redirects plain HTTP to HTTPS. */
  readonly redirectHttpRoute?: ApiObject;
}

/** One version of the website, as a release routes to it. */
export interface VersionModel {
  /** The version's name. */
  readonly name: string;
  /** The subset (and Service suffix) name. */
  readonly subsetName: string;
  /** The labels that select the version's pods among the website's. */
  readonly versionSelector: Readonly<Record<string, string>>;
}

/** A release, checked: what every renderer gets to write the objects its routes send to. */
export interface ReleaseModel {
  /** The website's Service name. */
  readonly serviceName: string;
  /** The labels that select every pod of the website. */
  readonly appSelector: Readonly<Record<string, string>>;
  /** The ports of the website's Service. */
  readonly servicePorts: readonly kplus.ServicePort[];
  /** The website's versions as they stand (later ones are added before synthesis). */
  readonly versions: () => readonly VersionModel[];
  /** Name of the DestinationRule, if given. */
  readonly destinationRuleName?: string;
  /** Traffic policy of every version, checked. */
  readonly trafficPolicy?: TrafficPolicyOptions;
  /** Traffic policy per version name, checked. */
  readonly versionTrafficPolicies: ReadonlyMap<string, TrafficPolicyOptions>;
  /** Labels a Service the release adds, as the entry wants (its waypoint, in ambient mode). */
  readonly labelService: (service: Construct) => void;
}

/** The objects a renderer wrote for a release. */
export interface ReleaseObjects {
  /** An Istio DestinationRule. */
  readonly destinationRule?: ApiObject;
  /** One Service per version, by version name (APIs that route to Services rather than subsets). */
  readonly versionServices: ReadonlyMap<string, kplus.Service>;
}

/**
 * Writes the routing of one API. The constructs call it in this order: `checkEntryProps`,
 * `checkServers`, `gateway`, `routes` for an entry; `checkRelease`, then `release` for a release.
 * Each check throws on what the API cannot express, naming the prop and the alternative.
 */
export interface TrafficRenderer {
  /** Refuses the entry props this API has no use for or cannot express. */
  checkEntryProps(props: EntryApiProps, mesh: boolean): void;
  /** Refuses the servers this API cannot express. */
  checkServers(servers: readonly ServerModel[]): void;
  /** Adds the entry's Gateway to `scope` (construct id `Gateway`). */
  gateway(scope: Construct, entry: EntryModel): EntryGatewayObjects;
  /** Adds the entry's routes to `scope`, bound to the Gateway named `gatewayName`. */
  routes(scope: Construct, entry: EntryModel, gatewayName: string): EntryRouteObjects;
  /** Refuses the release props and rules this API cannot express. */
  checkRelease(props: ReleaseApiProps, canaryMatches: readonly RequestMatch[], rules: readonly HttpRule[]): void;
  /** Adds the release's objects to `scope`. */
  release(scope: Construct, release: ReleaseModel): ReleaseObjects;
}
