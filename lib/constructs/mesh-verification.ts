import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Manifest } from '../mesh/manifests';
import { checkDnsLabel, checkHost, checkPort, checkServiceName, show } from '../model/validate';
import { AppVerification } from './verification';
import { DEFAULT_NAMESPACE } from '../model/names';

/** A Service that exists in the cluster but is not synthesized by this app (Helm, another team). */
export interface ExternalServiceOptions {
  /** Name of the Service. */
  readonly name: string;

  /**
   * Namespace of the Service.
   * @default - the chart's namespace, or `default`
   */
  readonly namespace?: string;

  /**
   * Ports of the Service; routes to other ports are errors.
   * @default [80]
   */
  readonly ports?: number[];
}

/**
 * Settings of the verification that runs when a chart is synthesized (see "Verify before you
 * apply" in the README).
 */
export class MeshVerification {
  /**
   * Turns the synthesis-time verification off for `chart`: its objects are still seen by the
   * verification of the app's other charts, but nothing is reported about them, and its
   * synthesis never fails for a mesh finding. `cdk8s-istio-canary verify` still checks the YAML.
   */
  public static disable(chart: Chart): void {
    if (!Chart.isChart(chart)) {
      throw new Error(`chart must be a Chart, got ${show(chart)}`);
    }
    AppVerification.of(chart).disable(chart);
  }

  /** Whether the synthesis-time verification is off for `chart`. */
  public static isDisabled(chart: Chart): boolean {
    return AppVerification.find(chart)?.isDisabled(chart) ?? false;
  }

  /**
   * Declares a Service that lives in the cluster but outside this app (deployed by Helm or by
   * another team), so that routes to it are not reported as unknown hosts. Its pods are not
   * known: routes to it are not checked for subsets with pods.
   *
   * @param scope - any construct of the chart; the declaration holds for the whole app
   */
  public static declareExternalService(scope: IConstruct, service: ExternalServiceOptions): void {
    const name = checkServiceName('name', service?.name);
    const namespace = checkDnsLabel('namespace', service.namespace ?? Chart.of(scope).namespace ?? DEFAULT_NAMESPACE);
    const ports = service.ports ?? [80];
    if (!Array.isArray(ports) || ports.length === 0) {
      throw new Error(`ports must list at least one port, got ${show(ports)}`);
    }
    ports.forEach((port, i) => checkPort(`ports[${i}]`, port));
    // A Service without a selector: its endpoints are managed elsewhere, as the checks read it.
    AppVerification.of(scope).declare({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: ports.map((port) => ({ port })) } });
  }

  /**
   * Declares hosts that exist outside this app and outside Kubernetes Services (an external API,
   * a host of a ServiceEntry applied by someone else), so that routes to them are not reported
   * as unknown hosts. `*.example.com` declares every name under `example.com`.
   *
   * @param scope - any construct of the chart; the declaration holds for the whole app
   */
  public static declareExternalHosts(scope: IConstruct, hosts: string[]): void {
    if (!Array.isArray(hosts) || hosts.length === 0) {
      throw new Error(`hosts must list at least one host, got ${show(hosts)}`);
    }
    hosts.forEach((host, i) => {
      checkHost(`hosts[${i}]`, host);
      if (host === '*') {
        throw new Error(`hosts[${i}] must name a host or a domain ("*.example.com"), got "*", which would hide every unknown host`);
      }
    });
    AppVerification.of(scope).declare({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'declared-external-hosts' }, spec: { hosts: [...hosts] } });
  }

  /**
   * What the charts of `scope`'s app declare as living outside it, as manifests for the
   * verification (never synthesized).
   */
  public static externalManifests(scope: IConstruct): Manifest[] {
    return AppVerification.find(scope)?.declarations ?? [];
  }
}
