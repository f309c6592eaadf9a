import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';
import {
  checkDnsLabel, checkDnsSubdomain, checkEnum, checkInteger, checkLabelValue, checkPort, checkServiceName, isPlainObject, isServiceName, show,
} from '../model/validate';
import { LinuxCapability, renderCapabilities, resolveResources } from './workload-defaults';
import { DEFAULT_NAMESPACE } from '../model/names';
import { AppVerification } from './verification';

/** The label that every pod of the website carries, whatever its version. */
export const APP_LABEL = 'app';
/** The label that tells the versions apart; DestinationRule subsets select on it. */
export const VERSION_LABEL = 'version';

/**
 * The application protocol of the website's port. The Service port is named after it, which is
 * how Istio learns the protocol (without it Istio treats the traffic as opaque TCP and HTTP
 * routing rules do not apply).
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export enum WebProtocol {
  /** HTTP/1.1. */
  HTTP = 'http',
  /** HTTP/2 (cleartext). */
  HTTP2 = 'http2',
  /** gRPC. */
  GRPC = 'grpc',
}

/**
 * One version of the website: a Deployment of one image, labelled with its version.
 */
export interface WebsiteVersionOptions {
  /**
   * The version's name, by which releases refer to it (`version-1`, `v2`). A DNS-1123 label.
   */
  readonly name: string;

  /** The container image, e.g. `nginx:1.27`. */
  readonly image: string;

  /**
   * Number of pods.
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Value of the `version` label on this version's pods.
   * @default - the version's name
   */
  readonly label?: string;

  /**
   * Name of this version's subset in the website's DestinationRule.
   * @default - the version's name
   */
  readonly subsetName?: string;

  /**
   * Name of the Deployment.
   * @default - derived from the construct path, as cdk8s names objects
   */
  readonly deploymentName?: string;

  /**
   * Name of the container.
   * @default - the version's name
   */
  readonly containerName?: string;

  /**
   * CPU and memory requests and limits of the container, as typed units
   * (`Cpu.millis(100)`, `Size.mebibytes(200)`). The container always gets limits: a resource
   * not mentioned gets the defaults, and a request without a limit gets the default limit (raised
   * to the request when the request is larger). A limit below its request is an error.
   * @default - requests 1000m CPU and 512Mi, limits 1500m and 2048Mi (cdk8s-plus-27's defaults)
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Security settings of the container. Capabilities are not set here: the container drops them
   * all, and `addCapabilities` puts some back.
   * @default - non-root, read-only root filesystem, no privilege escalation (cdk8s-plus-27's defaults)
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;

  /**
   * Security settings of the pod. The pod's seccomp profile is always `RuntimeDefault`.
   * @default - non-root (cdk8s-plus-27's default)
   */
  readonly podSecurityContext?: kplus.PodSecurityContextProps;

  /**
   * Linux capabilities the container gets back after dropping all of them. Anything but
   * `NET_BIND_SERVICE` leaves the Pod Security Standards' "restricted" profile for "baseline".
   * @default - none: every capability is dropped
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
   */
  readonly addCapabilities?: LinuxCapability[];

  /**
   * Probe that tells when a pod may receive requests; until it passes, the pod is not an
   * endpoint of the Service, and Istio sends it nothing. `false` for none.
   * @default - for HTTP, an HTTP GET of `/` on the container port; for HTTP/2 and gRPC, a TCP
   * connection to it
   * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
   */
  readonly readiness?: kplus.Probe | false;

  /**
   * Probe whose failure restarts the container.
   * @default - none
   */
  readonly liveness?: kplus.Probe;
}

/** Props of a `Website`. */
export interface WebsiteProps {
  /**
   * Name of the Service, the host that Istio routes to.
   * @default - derived from the construct path, as cdk8s names objects
   */
  readonly serviceName?: string;

  /**
   * Value of the `app` label shared by every version; the Service selects it.
   * @default - the Service's name
   */
  readonly appLabel?: string;

  /**
   * Port of the Service.
   * @default 80
   */
  readonly port?: number;

  /**
   * Port the containers listen on.
   * @default - the Service's port
   */
  readonly containerPort?: number;

  /**
   * Application protocol; the Service and container ports are named after it.
   * @default WebProtocol.HTTP
   */
  readonly protocol?: WebProtocol;

  /**
   * The versions to deploy; more can be added with `addVersion`.
   * @default - none
   */
  readonly versions?: WebsiteVersionOptions[];
}

/** A version of a website, as deployed (returned by `Website.addVersion`). */
export interface WebsiteVersion {
  /** The version's name. */
  readonly name: string;
  /** Value of the `version` label on its pods. */
  readonly label: string;
  /** Its subset's name in the DestinationRule. */
  readonly subsetName: string;
  /** Number of pods. */
  readonly replicas: number;
  /** The image. */
  readonly image: string;
  /** The Deployment that runs it. */
  readonly deployment: kplus.Deployment;
}

/**
 * A website: one Kubernetes Service over one Deployment per version.
 *
 * Every pod carries `app: <appLabel>` and `version: <label>`. The Service selects only the `app`
 * label, so it spans all versions, and each Deployment selects both labels. Selectors use only
 * these stable labels, never a hash of the construct path, because a selector cannot change on
 * a live object.
 */
export class Website extends Construct {
  /** The Service. */
  public readonly service: kplus.Service;
  /** Name of the Service: the host that VirtualServices and DestinationRules name. */
  public readonly serviceName: string;
  /** Value of the `app` label. */
  public readonly appLabel: string;
  /** The Service's port. */
  public readonly port: number;
  /** The application protocol. */
  public readonly protocol: WebProtocol;

  private readonly containerPort: number;
  private release?: IConstruct;
  private readonly _versions = new Map<string, WebsiteVersion>();

  public constructor(scope: Construct, id: string, props: WebsiteProps = {}) {
    super(scope, id);
    const namespace = Chart.of(this).namespace;
    if (namespace !== undefined) {
      checkDnsLabel(`namespace of chart "${Chart.of(this).node.id}"`, namespace);
    }
    this.port = checkPort('port', props.port ?? 80);
    this.containerPort = checkPort('containerPort', props.containerPort ?? this.port);
    this.protocol = checkEnum('protocol', props.protocol ?? WebProtocol.HTTP, WebProtocol);
    if (props.serviceName !== undefined) {
      checkServiceName('serviceName', props.serviceName);
    }

    this.service = new kplus.Service(this, 'Resource', {
      metadata: props.serviceName !== undefined ? { name: props.serviceName } : {},
      ports: [{ port: this.port, targetPort: this.containerPort, name: this.protocol, protocol: kplus.Protocol.TCP }],
    });
    this.serviceName = props.serviceName ?? checkGeneratedServiceName(this.service.name);
    this.appLabel = checkLabelValue('appLabel', props.appLabel ?? this.serviceName);
    claimNames(this, namespace);
    this.service.selectLabel(APP_LABEL, this.appLabel);
    AppVerification.of(this).adopt(ApiObject.of(this.service));

    if (props.versions !== undefined && !Array.isArray(props.versions)) {
      throw new Error(`versions must be an array of versions (e.g. [{ name: 'v1', image: 'web:1' }]), got ${show(props.versions)}`);
    }
    (props.versions ?? []).forEach((version, i) => {
      if (!isPlainObject(version)) {
        throw new Error(`versions[${i}] must be a version object (e.g. { name: 'v1', image: 'web:1' }), got ${show(version)}`);
      }
      this.addVersion(version);
    });
  }

  /**
   * Lets `release` (a `CanaryRelease`) own the website's DestinationRule: one website, one release,
   * since Istio merges two DestinationRules of one host only partly (the second one's traffic
   * policy is dropped).
   *
   * @throws if another release already owns it
   */
  public releaseWith(release: IConstruct): void {
    if (this.release !== undefined && this.release !== release) {
      throw new Error(`website must be released by one CanaryRelease only: ${release.node.path} cannot release ${this.node.path}, already released by ${this.release.node.path} (two DestinationRules for one host, the second one's traffic policy dropped by Istio); route every entry of the website from that one release's props, or give the second site its own Website`);
    }
    this.release = release;
  }

  /**
   * Deploys one more version of the website.
   *
   * @throws if its name, label, subset or Deployment name is taken by another version
   */
  public addVersion(options: WebsiteVersionOptions): WebsiteVersion {
    const name = checkDnsLabel('version name', options.name);
    for (const key of ['securityContext', 'podSecurityContext', 'resources'] as const) {
      const value: unknown = options[key];
      if (value !== undefined && !isPlainObject(value)) {
        throw new Error(`${key} of version "${name}" must be an object or left out, got ${show(value)}`);
      }
    }
    const label = checkLabelValue(`label of version "${name}"`, options.label ?? name);
    const subsetName = checkDnsLabel(`subsetName of version "${name}"`, options.subsetName ?? name);
    const replicas = checkInteger(`replicas of version "${name}"`, options.replicas ?? 1, 0, Number.MAX_SAFE_INTEGER);
    const containerName = checkDnsLabel(`containerName of version "${name}"`, options.containerName ?? name);
    if (options.deploymentName !== undefined) {
      checkDnsSubdomain(`deploymentName of version "${name}"`, options.deploymentName);
    }
    if (typeof options.image !== 'string' || options.image.trim() === '' || /\s/.test(options.image)) {
      throw new Error(`image of version "${name}" must be a non-empty image reference without spaces, got ${show(options.image)}`);
    }
    const resources = resolveResources(`resources of version "${name}"`, options.resources);
    if (options.securityContext?.capabilities !== undefined) {
      throw new Error(`securityContext.capabilities of version "${name}" cannot be set, got ${show(options.securityContext.capabilities)}: the container drops every capability; list those it needs in addCapabilities`);
    }
    const capabilities = renderCapabilities(`addCapabilities of version "${name}"`, options.addCapabilities);
    const readiness = options.readiness ?? this.defaultReadiness();
    if (readiness !== false && !(readiness instanceof kplus.Probe)) {
      throw new Error(`readiness of version "${name}" must be a Probe (e.g. Probe.fromHttpGet('/healthz')) or false, got ${show(readiness)}`);
    }
    if (options.liveness !== undefined && !(options.liveness instanceof kplus.Probe)) {
      throw new Error(`liveness of version "${name}" must be a Probe (e.g. Probe.fromHttpGet('/healthz')), got ${show(options.liveness)}`);
    }
    for (const other of this._versions.values()) {
      if (other.name === name) {
        throw new Error(`version name must be unique within a website, got "${name}" twice`);
      }
      if (other.label === label) {
        throw new Error(`label of version "${name}" must differ from every other version's, got "${label}", already used by version "${other.name}"`);
      }
      if (other.subsetName === subsetName) {
        throw new Error(`subsetName of version "${name}" must differ from every other version's, got "${subsetName}", already used by version "${other.name}"`);
      }
      if (options.deploymentName !== undefined && other.deployment.name === options.deploymentName) {
        throw new Error(`deploymentName of version "${name}" must differ from every other version's, got "${options.deploymentName}", already used by version "${other.name}"`);
      }
    }

    const labels = { [APP_LABEL]: this.appLabel, [VERSION_LABEL]: label };
    const deployment = new kplus.Deployment(this, name, {
      metadata: { ...(options.deploymentName !== undefined ? { name: options.deploymentName } : {}), labels },
      replicas,
      // Select by the stable labels only: cdk8s-plus would otherwise select by a hash of the
      // construct path, and a selector cannot change on a live Deployment.
      select: false,
      podMetadata: { labels },
      securityContext: options.podSecurityContext,
      containers: [{
        name: containerName,
        image: options.image,
        ports: [{ number: this.containerPort, name: this.protocol }],
        resources,
        securityContext: options.securityContext,
        ...(readiness !== false ? { readiness } : {}),
        ...(options.liveness !== undefined ? { liveness: options.liveness } : {}),
      }],
    });
    deployment.select(kplus.LabelSelector.of({ labels }));
    // cdk8s-plus also stamps the pod template with a hash of the construct path, for its own
    // select-by-object feature, which this construct does not use. Left in, renaming a construct
    // would restart every pod for nothing.
    ApiObject.of(deployment).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
    // The rest of the "restricted" Pod Security Standard, which cdk8s-plus-27 has no typed props
    // for: the runtime's default seccomp profile, and no capabilities but those asked for.
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', capabilities),
    );

    AppVerification.of(this).adopt(ApiObject.of(deployment));

    const version: WebsiteVersion = { name, label, subsetName, replicas, image: options.image, deployment };
    this._versions.set(name, version);
    return version;
  }

  /** The versions, in the order they were added (a copy). */
  public get versions(): WebsiteVersion[] {
    return [...this._versions.values()];
  }

  /** The version called `name`, or `undefined`. */
  public findVersion(name: string): WebsiteVersion | undefined {
    return this._versions.get(name);
  }

  private defaultReadiness(): kplus.Probe {
    // The kubelet's HTTP probes speak HTTP/1.1, which an HTTP/2-only or gRPC server may refuse.
    return this.protocol === WebProtocol.HTTP
      ? kplus.Probe.fromHttpGet('/', { port: this.containerPort })
      : kplus.Probe.fromTcpSocket({ port: this.containerPort });
  }
}

/**
 * The Service name cdk8s generated for a website without `serviceName`: it must be a DNS-1035
 * label, which a chart or construct id with a dot, or a chart id starting with a digit, breaks.
 */
function checkGeneratedServiceName(name: string): string {
  if (!isServiceName(name)) {
    throw new Error(`serviceName must be given when the generated name "${name}" is not a DNS-1035 label (at most 63 lower-case letters, digits or "-", starting with a letter): the API server would refuse the Service; set serviceName`);
  }
  return name;
}

// The websites of each app by `namespace/app label` and by `namespace/Service name`: two websites
// sharing an app label in one namespace would select each other's pods, and two sharing a Service
// name would write one Service twice, the last applied replacing the other.
const claims = new WeakMap<IConstruct, Map<string, Website>>();

function claimNames(website: Website, namespace: string | undefined): void {
  const root = website.node.root;
  const claimed = claims.get(root) ?? new Map<string, Website>();
  claims.set(root, claimed);
  const ns = namespace ?? DEFAULT_NAMESPACE;
  const service = claimed.get(`service:${ns}/${website.serviceName}`);
  if (service !== undefined) {
    throw new Error(`serviceName of ${website.node.path} must differ from every other website's in namespace "${ns}", got "${website.serviceName}", already used by ${service.node.path}: both would write Service ${ns}/${website.serviceName}, and the last one applied would replace the other; give one of them another serviceName`);
  }
  const app = claimed.get(`app:${ns}/${website.appLabel}`);
  if (app !== undefined) {
    throw new Error(`appLabel of ${website.node.path} must differ from every other website's in namespace "${ns}", got "${website.appLabel}", already used by ${app.node.path}: their Services and subsets would select each other's pods; give one of them another appLabel or serviceName`);
  }
  claimed.set(`service:${ns}/${website.serviceName}`, website);
  claimed.set(`app:${ns}/${website.appLabel}`, website);
}
