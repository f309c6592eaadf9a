import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { DATAPLANE_MODE_LABEL, INJECTION_LABEL, REVISION_LABEL } from '../mesh/enrollment';
import { checkDnsLabel, checkLabels, checkLabelValue, show } from '../model/validate';
import { AppVerification } from './verification';

/**
 * How a namespace's pods join the mesh: the label that Istio reads on the namespace.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/
 * @see https://istio.io/latest/docs/ambient/usage/add-workloads/
 */
export class MeshEnrollment {
  /** Automatic sidecar injection by the default control plane: `istio-injection: enabled`. */
  public static sidecar(): MeshEnrollment {
    return new MeshEnrollment({ [INJECTION_LABEL]: 'enabled' });
  }

  /**
   * Automatic sidecar injection by one control plane revision (canary upgrades of Istio):
   * `istio.io/rev: <revision>`.
   */
  public static revision(revision: string): MeshEnrollment {
    return new MeshEnrollment({ [REVISION_LABEL]: checkLabelValue('revision', revision) });
  }

  /** The ambient mesh, without sidecars: `istio.io/dataplane-mode: ambient`. */
  public static ambient(): MeshEnrollment {
    return new MeshEnrollment({ [DATAPLANE_MODE_LABEL]: 'ambient' });
  }

  private constructor(private readonly _labels: Record<string, string>) {}

  /** The namespace labels (a copy). */
  public get labels(): Record<string, string> {
    return { ...this._labels };
  }
}

/** Props of a `MeshNamespace`. */
export interface MeshNamespaceProps {
  /**
   * Name of the namespace.
   * @default - the chart's namespace
   */
  readonly name?: string;

  /**
   * How the namespace's pods join the mesh.
   * @default MeshEnrollment.sidecar()
   */
  readonly enrollment?: MeshEnrollment;

  /**
   * More labels, e.g. `pod-security.kubernetes.io/enforce: restricted`. They may not repeat an
   * enrollment label.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * The Namespace the chart's objects live in, enrolled in the mesh. Pods in a namespace that is
 * not enrolled get no sidecar: they are outside the mesh, without mutual TLS, and the routing
 * rules of their own calls do not apply. Optional: leave it out when the namespace is managed
 * elsewhere (`cdk8s-istio-canary verify` then cannot check its labels).
 *
 * Applying it to an existing namespace (such as `default`) adds the labels; deleting it with
 * `kubectl delete -f` deletes the namespace and everything in it.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
 */
export class MeshNamespace extends Construct {
  /** The Namespace object. */
  public readonly resource: ApiObject;
  /** Name of the namespace. */
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: MeshNamespaceProps = {}) {
    super(scope, id);
    const chart = Chart.of(this);
    const name = props.name ?? chart.namespace;
    if (name === undefined) {
      throw new Error(`name must be given when the chart has no namespace, got none for chart "${chart.node.id}"; set name, or the chart's namespace`);
    }
    this.name = checkDnsLabel('name', name);
    const enrollment = props.enrollment ?? MeshEnrollment.sidecar();
    if (!(enrollment instanceof MeshEnrollment)) {
      throw new Error(`enrollment must be a MeshEnrollment (e.g. MeshEnrollment.sidecar()), got ${show(enrollment)}`);
    }
    const labels = checkLabels('labels', props.labels ?? {});
    for (const key of [INJECTION_LABEL, REVISION_LABEL, DATAPLANE_MODE_LABEL]) {
      if (key in labels) {
        throw new Error(`labels must not hold the enrollment label "${key}", got "${labels[key]}": set enrollment instead`);
      }
    }
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: this.name, labels: { ...labels, ...enrollment.labels } },
    });
    if (chart.namespace !== undefined) {
      // A Namespace is cluster-scoped: the chart's namespace does not apply to it.
      this.resource.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    AppVerification.of(this).adopt(this.resource);
  }
}
