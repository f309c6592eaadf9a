import { ApiObject, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IstioEntry } from './istio-entry';
import { RequestMatch } from '../model/match';
import { checkDuration, DurationKind } from '../model/duration';
import { Percentage } from '../model/percentage';
import { headerValueProblem, mirrorCopiesNothing, PERCENT_MIN } from '../mesh/istio-validation';
import { checkReleaseCapacity } from '../model/capacity';
import { CanaryRouting, canaryRules, hasCanaryOnlyRule, HttpRule, mirrorFits, StickyRouting, stickyCookie } from '../model/routing';
import { checkFault, checkRetries, checkTrafficPolicy, FaultOptions, RetryOptions, TrafficPolicyOptions } from '../model/traffic-policy';
import { checkDnsSubdomain, checkEnum, checkOptions, show } from '../model/validate';
import { APP_LABEL, VERSION_LABEL, Website, WebsiteVersion } from './website';
import { AppVerification } from './verification';
import { Weight } from '../model/weight';
import { DEFAULT_NAMESPACE } from '../model/names';
import { TrafficApi } from '../model/traffic-api';
import { rendererFor } from '../render/renderers';

type CanaryReleaseRouting = Omit<CanaryRouting, 'host' | 'stableSubset' | 'canarySubset' | 'canaryMatches' | 'canaryWeight'>;

/** Routing between the stable and the canary version; reused by later stages of a rollout. */
export interface CanaryRoutingOptions {
  /**
   * The version that takes every request not sent to the canary.
   */
  readonly stable: string;

  /**
   * The version being tested.
   * @default - no canary: every request goes to the stable version
   */
  readonly canary?: string;

  /**
   * Requests that go to the canary whatever the weight, e.g.
   * `RequestMatch.header('qa', 'canary-test')`. A request meeting any one of them matches.
   * @default - none
   */
  readonly canaryMatches?: RequestMatch[];

  /**
   * The share of the other requests that goes to the canary.
   * @default Weight.NONE
   */
  readonly canaryWeight?: Weight;

  /**
   * Copy this share of the requests that only the stable version serves to the canary (shadow
   * traffic). The copies' responses are dropped, and they do not count in the weights.
   *
   * Istio mirrors every request of the rule a mirror is on, whichever destination serves it, so the
   * mirror goes on a rule that carries stable traffic only: the catch-all rule when `canaryWeight`
   * is 0, or, with `stickySession`, the rule that keeps users assigned to stable there (each
   * stable user's first request, which is split by weight, is not copied). A weight between 1 and
   * 99 without `stickySession` has no such rule and is refused. Under `MeshRouting.STABLE_ONLY`
   * in-mesh calls are never mirrored.
   * @default - no mirroring
   */
  readonly mirrorToCanary?: Percentage;

  /**
   * Assign each user a version once: both destinations of the weighted split set a cookie naming
   * their version (`canary=v2` or `canary=v1`), and rules in front of the split send requests
   * carrying it back to that version, so the share of users on the canary equals `canaryWeight`.
   * @default - no stickiness: each request is split anew
   */
  readonly stickySession?: StickySessionOptions;

  /**
   * Timeout of a request, on every route.
   * @default - Istio's default (none)
   */
  readonly timeout?: Duration;

  /**
   * Retries, on every route (Istio API only: the Gateway API's standard channel has none).
   * @default - Istio's default: up to 2 retries on connect-failure, refused-stream, unavailable, cancelled (not on 503 since Istio 1.24)
   */
  readonly retries?: RetryOptions;

  /**
   * Faults injected into the requests that go only to the canary (its matches and sticky users),
   * to test how it and its clients cope (Istio API only).
   * @default - none
   */
  readonly canaryFault?: FaultOptions;

  /**
   * How in-mesh calls are routed when the entry is bound to `mesh` too.
   * @default MeshRouting.SAME_AS_GATEWAY
   */
  readonly meshRouting?: MeshRouting;
}

/** How a release routes in-mesh calls, when its entry is bound to `mesh`. */
export enum MeshRouting {
  /** Calls between services follow the same canary rules as requests through the gateway. */
  SAME_AS_GATEWAY = 'same-as-gateway',
  /** Calls between services always go to the stable version; only gateway traffic meets the canary. */
  STABLE_ONLY = 'stable-only',
}

/**
 * Sticky sessions. The cookie is marked `Secure` when the entry serves HTTPS and no plain HTTP
 * (its HTTP servers only redirect).
 */
export interface StickySessionOptions {
  /**
   * Name of the cookie: a cookie token without `%` (Envoy would read `%...%` in the `Set-Cookie`
   * value as a variable).
   * @default 'canary'
   */
  readonly cookieName?: string;
  /**
   * How long a user keeps the version they were assigned. A user assigned under one weight keeps
   * their version when the weight changes, until the cookie expires.
   */
  readonly maxAge: Duration;
}

/** Props of a `CanaryRelease`. */
export interface CanaryReleaseProps extends CanaryRoutingOptions {
  /** The website whose versions are released. */
  readonly website: Website;

  /** The entry whose VirtualService (or, with the Gateway API, HTTPRoutes) carries the routing. */
  readonly entry: IstioEntry;

  /**
   * Name of the DestinationRule (Istio API only).
   * @default - derived from the construct path, as cdk8s names objects
   */
  readonly destinationRuleName?: string;

  /**
   * Connection pool and outlier detection for every version (Istio API only).
   * @default - Istio's defaults
   */
  readonly trafficPolicy?: TrafficPolicyOptions;

  /**
   * Connection pool and outlier detection for some versions' subsets, by version name (Istio API
   * only). Istio
   * merges each with `trafficPolicy` field by field: a `connectionPool` or `outlierDetection` set
   * here replaces that whole field of `trafficPolicy` for the subset, and a field left out here is
   * inherited from `trafficPolicy`.
   * @default - none
   */
  readonly versionTrafficPolicies?: Record<string, TrafficPolicyOptions>;

  /**
   * How much more than a stable pod carried before the release (every request over the stable's
   * pods) a pod may carry: a subset's share of the weighted traffic (mirrored copies included,
   * header and cookie matches left out) over its pods must stay within it. Raise it to accept a
   * canary with fewer pods than its share needs.
   * @default 1
   */
  readonly maxPodLoad?: number;
}

/**
 * A canary release of a website: the DestinationRule with one subset per version, and the
 * routing between a stable and a canary version on the entry's VirtualService.
 *
 * Every version of the website gets a subset (selecting its `version` label), whether or not
 * traffic goes to it yet, so that the subset a route will need is always known to the proxies
 * before the route is (make before break).
 *
 * The release must be in a chart of its website's namespace: its DestinationRule (or, with the
 * Gateway API, its Services of each version) names the website's Service and pods by name and
 * labels, which resolve in its own namespace.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
 */
export class CanaryRelease extends Construct {
  /** The website whose versions are released. */
  public readonly website: Website;
  /** The entry whose VirtualService carries the routing. */
  public readonly entry: IstioEntry;
  /** The DestinationRule (`networking.istio.io/v1`); `undefined` when the entry uses the Gateway API. */
  public readonly destinationRule?: ApiObject;
  /**
   * The Service of each version, by version name, that the HTTPRoutes send to; empty when the
   * entry uses the Istio API (which routes to DestinationRule subsets instead).
   */
  public readonly versionServices: ReadonlyMap<string, kplus.Service>;

  private readonly stable: WebsiteVersion;
  private readonly canary?: WebsiteVersion;
  private readonly canaryMatches: RequestMatch[];
  private readonly canaryWeight: Weight;
  private readonly routing: CanaryReleaseRouting;

  public constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    if (!(props.website instanceof Website)) {
      throw new Error(`website must be a Website construct, got ${show(props.website)}`);
    }
    if (!(props.entry instanceof IstioEntry)) {
      throw new Error(`entry must be an IstioEntry construct, got ${show(props.entry)}`);
    }
    if (props.entry.website !== props.website) {
      throw new Error(`entry must route to the release's website: ${props.entry.node.path} routes to ${props.entry.website.node.path}, not ${props.website.node.path}`);
    }
    this.website = props.website;
    this.entry = props.entry;
    checkReleaseNamespace(this, this.website, this.entry.api);

    this.stable = this.findVersion('stable', props.stable);
    this.canary = props.canary !== undefined ? this.findVersion('canary', props.canary) : undefined;
    if (this.canary === this.stable) {
      throw new Error(`canary must differ from stable, got "${props.canary}" for both`);
    }
    this.canaryMatches = [...(props.canaryMatches ?? [])];
    this.canaryMatches.forEach((match, i) => {
      if (!(match instanceof RequestMatch)) {
        throw new Error(`canaryMatches[${i}] must be a RequestMatch (e.g. RequestMatch.header('qa', 'canary-test')), got ${show(match)}`);
      }
    });
    this.canaryWeight = props.canaryWeight ?? Weight.NONE;
    if (!(this.canaryWeight instanceof Weight)) {
      throw new Error(`canaryWeight must be a Weight (e.g. Weight.percent(20)), got ${show(this.canaryWeight)}`);
    }
    if (this.canary === undefined && (this.canaryMatches.length > 0 || this.canaryWeight.percent > 0)) {
      throw new Error(`canary must be set when canaryMatches or canaryWeight send traffic to it, got canaryWeight ${this.canaryWeight} and ${this.canaryMatches.length} canaryMatches`);
    }
    if (props.destinationRuleName !== undefined) {
      checkDnsSubdomain('destinationRuleName', props.destinationRuleName);
    }
    checkRoutedReplicas(this.stable, this.canary, this.canaryMatches.length, this.canaryWeight);
    this.routing = this.routingOptions(props);
    const rules = this.httpRules();
    checkReleaseCapacity({
      rules, stableSubset: this.stable.subsetName, maxPodLoad: props.maxPodLoad,
      pods: new Map(this.website.versions.map((v) => [v.subsetName, v.replicas])),
    });
    const trafficPolicy = props.trafficPolicy !== undefined ? checkTrafficPolicy('trafficPolicy', props.trafficPolicy) : undefined;
    const versionPolicies = new Map<string, TrafficPolicyOptions>();
    for (const [name, policy] of Object.entries(checkOptions('versionTrafficPolicies', props.versionTrafficPolicies, '{ v2: { outlierDetection: {} } }') ?? {})) {
      this.findVersion(`versionTrafficPolicies key`, name);
      versionPolicies.set(name, checkTrafficPolicy(`versionTrafficPolicies["${name}"]`, policy));
    }

    const renderer = rendererFor(this.entry.api);
    renderer.checkRelease(props, this.canaryMatches, rules);

    // Claim the entry and the website before adding objects, so that a refused release leaves nothing behind.
    this.entry.routeWith(this);
    this.website.releaseWith(this);

    const website = this.website;
    const objects = renderer.release(this, {
      serviceName: website.serviceName,
      appSelector: { [APP_LABEL]: website.appLabel },
      servicePorts: website.service.ports,
      versions: () => website.versions.map((v) => ({ name: v.name, subsetName: v.subsetName, versionSelector: { [VERSION_LABEL]: v.label } })),
      ...(props.destinationRuleName !== undefined ? { destinationRuleName: props.destinationRuleName } : {}),
      ...(trafficPolicy !== undefined ? { trafficPolicy } : {}),
      versionTrafficPolicies: versionPolicies,
      labelService: (service) => this.entry.labelWithWaypoint(service),
    });
    this.destinationRule = objects.destinationRule;
    this.versionServices = objects.versionServices;
    const verification = AppVerification.of(this);
    if (this.destinationRule !== undefined) {
      verification.adopt(this.destinationRule, { tellsRendering: true });
    }
    for (const service of this.versionServices.values()) {
      verification.adopt(ApiObject.of(service));
    }
  }

  /** The HTTP rules this release puts on the entry's VirtualService. */
  public httpRules(): HttpRule[] {
    return canaryRules({
      host: this.website.serviceName,
      stableSubset: this.stable.subsetName,
      canarySubset: this.canary?.subsetName,
      canaryMatches: this.canaryMatches,
      canaryWeight: this.canaryWeight,
      ...this.routing,
    });
  }

  private routingOptions(props: CanaryReleaseProps): CanaryReleaseRouting {
    const canaryOnly = hasCanaryOnlyRule(this.canaryMatches.length, this.canaryWeight, props.stickySession !== undefined);
    if (props.mirrorToCanary !== undefined) {
      const mirror = props.mirrorToCanary;
      if (!(mirror instanceof Percentage)) {
        throw new Error(`mirrorToCanary must be a Percentage (e.g. Percentage.of(10)), got ${show(mirror)}`);
      }
      if (this.canary === undefined) {
        throw new Error('mirrorToCanary needs a canary to mirror to: set canary');
      }
      if (mirrorCopiesNothing(mirror.value)) {
        throw new Error(`mirrorToCanary must be at least ${PERCENT_MIN}% (Istio counts mirrored requests in millionths and copies nothing below that), got ${mirror}`);
      }
      if (!mirrorFits(this.canaryWeight, props.stickySession !== undefined)) {
        if (this.canaryWeight.percent === 100) {
          throw new Error('mirrorToCanary copies stable traffic, but canaryWeight 100% leaves none to copy: remove mirrorToCanary');
        }
        const twice = Math.round(this.canaryWeight.percent * mirror.value) / 100;
        throw new Error(`mirrorToCanary copies only requests that stable serves, but with canaryWeight ${this.canaryWeight} and no stickySession no rule carries only those: Istio would also copy the canary's own requests (${this.canaryWeight} x ${mirror} = ${twice}% of all requests run twice on the canary); set stickySession, or a canaryWeight of 0`);
      }
    }
    if (props.canaryFault !== undefined && !canaryOnly) {
      throw new Error('canaryFault needs a route that only the canary takes, or it would hit stable traffic too: set canaryMatches, a canaryWeight of 100, or a stickySession with a canaryWeight');
    }
    let sticky: StickyRouting | undefined;
    checkOptions('stickySession', props.stickySession, '{ maxAge: Duration.hours(24) }');
    if (props.stickySession !== undefined) {
      if (this.canary === undefined) {
        throw new Error('stickySession needs a canary: set canary');
      }
      const cookieName = props.stickySession.cookieName ?? 'canary';
      if (typeof cookieName === 'string' && cookieName.includes('%')) {
        throw new Error(`stickySession.cookieName must not contain "%" (Envoy reads %...% in the Set-Cookie header as a variable), got ${show(cookieName)}`);
      }
      RequestMatch.cookie(cookieName, 'x'); // checks the name
      const maxAge = checkDuration('stickySession.maxAge', props.stickySession.maxAge, DurationKind.SECONDS);
      sticky = { cookieName, maxAgeSeconds: maxAge.toSeconds(), secure: this.entry.httpsOnly };
      for (const version of [this.stable, this.canary]) {
        const problem = headerValueProblem(stickyCookie(sticky, version.subsetName));
        if (problem !== undefined) {
          throw new Error(`stickySession.cookieName gives a Set-Cookie value that ${problem}, got ${show(cookieName)}`);
        }
      }
    }
    const meshRouting = checkEnum('meshRouting', props.meshRouting ?? MeshRouting.SAME_AS_GATEWAY, MeshRouting);
    if (meshRouting === MeshRouting.STABLE_ONLY && !this.entry.mesh) {
      throw new Error('meshRouting applies to in-mesh calls, but the entry is not bound to mesh: set mesh: true on the IstioEntry, or leave meshRouting out');
    }
    return {
      ...(props.mirrorToCanary !== undefined ? { mirror: props.mirrorToCanary } : {}),
      ...(sticky !== undefined ? { sticky } : {}),
      ...(props.timeout !== undefined ? { timeout: checkDuration('timeout', props.timeout) } : {}),
      ...(props.retries !== undefined ? { retries: checkRetries('retries', props.retries) } : {}),
      ...(props.canaryFault !== undefined ? { canaryFault: checkFault('canaryFault', props.canaryFault) } : {}),
      ...(meshRouting === MeshRouting.STABLE_ONLY ? { canaryGateways: [this.entry.gatewayName] } : {}),
    };
  }

  /** Names of the DestinationRule's subsets. */
  public get subsetNames(): string[] {
    return this.website.versions.map((v) => v.subsetName);
  }

  private findVersion(prop: string, name: string): WebsiteVersion {
    const version = this.website.findVersion(name);
    if (version === undefined) {
      const known = this.website.versions.map((v) => `"${v.name}"`).join(', ') || 'none yet';
      throw new Error(`${prop} must be a version of the website (${known}), got ${show(name)}; add it with website.addVersion() first`);
    }
    return version;
  }
}

/**
 * The release's objects name the website's Service and pods by name and labels only, which
 * Kubernetes and Istio resolve in the objects' own namespace: in another namespace than the
 * website's, every request routed by the release would fail with 503.
 */
function checkReleaseNamespace(release: CanaryRelease, website: Website, api: TrafficApi): void {
  const websiteNamespace = ApiObject.of(website.service).metadata.namespace ?? DEFAULT_NAMESPACE;
  const chart = Chart.of(release);
  const releaseNamespace = chart.namespace ?? DEFAULT_NAMESPACE;
  if (releaseNamespace === websiteNamespace) {
    return;
  }
  const why = api === TrafficApi.GATEWAY_API
    ? `the Service it creates for each version (${website.serviceName}-<subset>) would select pods in namespace "${releaseNamespace}" only`
    : `its DestinationRule would name host "${website.serviceName}" in namespace "${releaseNamespace}", not the website's Service`;
  throw new Error(`the CanaryRelease's chart must have its website's namespace "${websiteNamespace}", got "${releaseNamespace}" (chart "${chart.node.id}") for ${release.node.path}: ${why}, and every request routed to a version would fail with 503; create the release in a chart with namespace "${websiteNamespace}"`);
}

/** A version that requests are routed to must have pods, or every request it takes fails with 503. */
function checkRoutedReplicas(stable: WebsiteVersion, canary: WebsiteVersion | undefined, matches: number, weight: Weight): void {
  if (stable.replicas === 0 && weight.percent < 100) {
    throw new Error(`stable version "${stable.name}" must have replicas, got 0: it takes ${100 - weight.percent}% of the requests, and each fails with 503 while no pod serves them; give it replicas, or route to a version that has some`);
  }
  if (canary !== undefined && canary.replicas === 0 && (weight.percent > 0 || matches > 0)) {
    const what = [weight.percent > 0 ? `canaryWeight ${weight}` : '', matches > 0 ? `${matches} canaryMatches` : ''].filter((x) => x !== '').join(' and ');
    throw new Error(`canary version "${canary.name}" must have replicas, got 0: ${what} route requests to it, and each fails with 503 while no pod serves them; give it replicas, or leave canaryWeight and canaryMatches out until it has some`);
  }
}
