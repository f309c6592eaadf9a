import { Chart, ChartProps, Size } from 'cdk8s';
import { ContainerSecurityContextProps, Cpu, PodSecurityContextProps } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CanaryRelease, IstioEntry, RequestMatch, TrafficApi, Website, WebsiteVersionOptions, Weight } from '../lib';

/**
 * The steps of the tutorial, in order. Each is the whole desired state after that step.
 */
export const TUTORIAL_STAGES = ['v1-only', 'subset-v1', 'canary-deployed', 'header-route', 'weighted'] as const;

/** One step of the tutorial. */
export type TutorialStage = typeof TUTORIAL_STAGES[number];

/** Props of the tutorial chart. */
export interface TutorialChartProps extends ChartProps {
  /**
   * The step to render.
   * @default 'weighted' (the final state)
   */
  readonly stage?: TutorialStage;

  /**
   * The routing API the objects are written for.
   * @default TrafficApi.ISTIO
   */
  readonly api?: TrafficApi;
}

// The tutorial's images are nginx serving port 80 as root and writing to its cache directories,
// so they cannot run with the library's secure defaults (non-root, read-only root filesystem).
// Relax exactly those two settings; privilege escalation stays forbidden.
const NGINX_AS_ROOT: ContainerSecurityContextProps = { ensureNonRoot: false, readOnlyRootFilesystem: false };
const NGINX_POD: PodSecurityContextProps = { ensureNonRoot: false };

// The tutorial asks for `cpu: 0.1` and `memory: 200`, which Kubernetes reads as 200 bytes; 200Mi
// is what was meant.
const REQUESTS = { cpu: { request: Cpu.millis(100) }, memory: { request: Size.mebibytes(200) } };

/** The tutorial's version 1: 4 replicas of the v1 image. */
export const VERSION_1: WebsiteVersionOptions = {
  name: 'version-1',
  label: 'website-version-1',
  deploymentName: 'web-v1',
  containerName: 'website-version-1',
  image: 'kublr/kublr-tutorial-images:v1',
  replicas: 4,
  resources: REQUESTS,
  securityContext: NGINX_AS_ROOT,
  podSecurityContext: NGINX_POD,
};

/** The tutorial's version 2, the canary: 1 replica of the v2 image. */
export const VERSION_2: WebsiteVersionOptions = {
  ...VERSION_1,
  name: 'version-2',
  label: 'website-version-2',
  deploymentName: 'web-v2',
  containerName: 'website-version-2',
  image: 'kublr/kublr-tutorial-images:v2',
  replicas: 1,
};

/** The tutorial's Gateway and VirtualService names, for any host. */
export const TUTORIAL_ENTRY = {
  hosts: ['*'],
  gatewayName: 'website-gateway',
  virtualServiceName: 'website-virtual-service',
};

/** The tutorial's Gateway and HTTPRoute names, for any host, with the Gateway API. */
export const TUTORIAL_GATEWAY_API_ENTRY = {
  hosts: ['*'],
  api: TrafficApi.GATEWAY_API,
  gatewayName: 'website-gateway',
  routeName: 'website',
};

/**
 * The topology of the Kublr canary tutorial (see `../shared/seed/`), at one of its steps.
 */
export class TutorialChart extends Chart {
  public constructor(scope: Construct, id: string, props: TutorialChartProps = {}) {
    super(scope, id, { namespace: 'default', ...props });
    const stage = props.stage ?? 'weighted';
    const step = TUTORIAL_STAGES.indexOf(stage);
    if (step < 0) {
      throw new Error(`stage must be one of ${TUTORIAL_STAGES.join(', ')}, got "${stage}"`);
    }

    const website = new Website(this, 'website', { serviceName: 'website', port: 80 });
    website.addVersion(VERSION_1);
    if (step >= TUTORIAL_STAGES.indexOf('canary-deployed')) {
      website.addVersion(VERSION_2);
    }

    const gatewayApi = props.api === TrafficApi.GATEWAY_API;
    const entry = new IstioEntry(this, 'entry', { website, ...(gatewayApi ? TUTORIAL_GATEWAY_API_ENTRY : TUTORIAL_ENTRY) });
    if (step < TUTORIAL_STAGES.indexOf('subset-v1')) {
      return;
    }

    const canary = step >= TUTORIAL_STAGES.indexOf('header-route') ? 'version-2' : undefined;
    new CanaryRelease(this, 'release', {
      website,
      entry,
      // With the Gateway API each version has a Service instead of a DestinationRule subset.
      ...(gatewayApi ? {} : { destinationRuleName: 'website' }),
      stable: 'version-1',
      canary,
      canaryMatches: stage === 'header-route' ? [RequestMatch.header('qa', 'canary-test')] : [],
      canaryWeight: stage === 'weighted' ? Weight.percent(20) : Weight.NONE,
    });
  }
}
