import { Chart, ChartProps, Size } from 'cdk8s';
import { ContainerSecurityContextProps, Cpu, PodSecurityContextProps } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  CanaryRelease, IstioEntry, LinuxCapability, MeshNamespace, RequestMatch, TrafficApi, Website, WebsiteVersionOptions, Weight,
} from '../lib';

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

// The tutorial's images are nginx as its official image runs it: the master process starts as
// root, binds port 80, prepares its cache directories and switches its workers to the `nginx`
// user. That fails under the library's "restricted" defaults, so the app relaxes exactly what it
// needs, which keeps the pods within the "baseline" Pod Security Standard. Privilege escalation
// stays forbidden, the seccomp profile stays RuntimeDefault, and every other capability stays
// dropped.
const NGINX_AS_ROOT: ContainerSecurityContextProps = {
  // The master process runs as root (the image sets no other user).
  ensureNonRoot: false,
  // nginx writes its pid file and cache (/var/run, /var/cache/nginx) into the image's filesystem.
  readOnlyRootFilesystem: false,
};
const NGINX_POD: PodSecurityContextProps = {
  // Same as the container's: the pod cannot require non-root when its container runs as root.
  ensureNonRoot: false,
};
const NGINX_CAPABILITIES = [
  // Binding port 80, below 1024.
  LinuxCapability.NET_BIND_SERVICE,
  // Giving its cache directories to the worker user.
  LinuxCapability.CHOWN,
  // Switching the worker processes to the `nginx` user and group.
  LinuxCapability.SETUID,
  LinuxCapability.SETGID,
];

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
  addCapabilities: NGINX_CAPABILITIES,
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

    // The tutorial's first step: `kubectl label namespace default istio-injection=enabled`, so
    // that every pod gets a sidecar and joins the mesh.
    new MeshNamespace(this, 'namespace');

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
