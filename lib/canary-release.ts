import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { DestinationRule as KubeDestinationRule } from '../imports/networking.istio.io';
import { IstioEntry } from './istio-entry';
import { RequestMatch } from './match';
import { canaryRules, HttpRule } from './routing';
import { checkDnsSubdomain, show } from './validate';
import { VERSION_LABEL, Website, WebsiteVersion } from './website';
import { Weight } from './weight';

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
}

/** Props of a `CanaryRelease`. */
export interface CanaryReleaseProps extends CanaryRoutingOptions {
  /** The website whose versions are released. */
  readonly website: Website;

  /** The entry whose VirtualService carries the routing. */
  readonly entry: IstioEntry;

  /**
   * Name of the DestinationRule.
   * @default - derived from the construct path, as cdk8s names objects
   */
  readonly destinationRuleName?: string;
}

/**
 * A canary release of a website: the DestinationRule with one subset per version, and the
 * routing between a stable and a canary version on the entry's VirtualService.
 *
 * Every version of the website gets a subset (selecting its `version` label), whether or not
 * traffic goes to it yet, so that the subset a route will need is always known to the proxies
 * before the route is (make before break).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
 */
export class CanaryRelease extends Construct {
  /** The website whose versions are released. */
  public readonly website: Website;
  /** The entry whose VirtualService carries the routing. */
  public readonly entry: IstioEntry;
  /** The DestinationRule. */
  public readonly destinationRule: KubeDestinationRule;

  private readonly stable: WebsiteVersion;
  private readonly canary?: WebsiteVersion;
  private readonly canaryMatches: RequestMatch[];
  private readonly canaryWeight: Weight;

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

    // Claim the entry before adding objects, so that a refused release leaves nothing behind.
    this.entry.routeWith(this);

    this.destinationRule = new KubeDestinationRule(this, 'Resource', {
      metadata: props.destinationRuleName !== undefined ? { name: props.destinationRuleName } : {},
      spec: {
        host: this.website.serviceName,
        // Rendered at synthesis, so that versions added later get their subsets too.
        subsets: Lazy.any({
          produce: () => this.website.versions.map((v) => ({ name: v.subsetName, labels: { [VERSION_LABEL]: v.label } })),
        }),
      },
    });

  }

  /** The HTTP rules this release puts on the entry's VirtualService. */
  public httpRules(): HttpRule[] {
    return canaryRules({
      host: this.website.serviceName,
      stableSubset: this.stable.subsetName,
      canarySubset: this.canary?.subsetName,
      canaryMatches: this.canaryMatches,
      canaryWeight: this.canaryWeight,
    });
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
