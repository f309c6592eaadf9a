import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DestinationRule as KubeDestinationRule,
  Gateway as KubeGateway,
  VirtualService as KubeVirtualService,
} from '../../../imports/networking.istio.io';
import { AppVerification } from '../../constructs/verification';

/*
 * The generated classes map their TypeScript props to JSON keys when rendered, and drop what
 * they do not know. This library builds Istio's JSON itself (some keys differ from the generated
 * names: `consecutive5xxErrors` is `consecutive5XxErrors` there), so these subclasses render their
 * props as given. The generated types still describe the objects; the tests validate the output
 * against Istio's CRD schemas, unknown fields included.
 *
 * Each also tells the app's verification when it is rendered: that is how the verification tells
 * the charts of one synthesis from a new synthesis (see `AppVerification`).
 */

/** An Istio Gateway rendered from Istio-native JSON. */
export class IstioGateway extends KubeGateway {
  public constructor(scope: Construct, id: string, props: ConstructorParameters<typeof KubeGateway>[2]) {
    super(scope, id, props);
    AppVerification.of(this).observeChart(Chart.of(this));
  }

  public override toJson(): any {
    AppVerification.find(this)?.rendered();
    return ApiObject.prototype.toJson.call(this);
  }
}

/** An Istio DestinationRule rendered from Istio-native JSON. */
export class IstioDestinationRule extends KubeDestinationRule {
  public constructor(scope: Construct, id: string, props: ConstructorParameters<typeof KubeDestinationRule>[2]) {
    super(scope, id, props);
    AppVerification.of(this).observeChart(Chart.of(this));
  }

  public override toJson(): any {
    AppVerification.find(this)?.rendered();
    return ApiObject.prototype.toJson.call(this);
  }
}

/**
 * An Istio VirtualService rendered from Istio-native JSON. It is the object that routes requests,
 * so a chart that has one is verified against the rest of the app at synthesis.
 */
export class IstioVirtualService extends KubeVirtualService {
  public constructor(scope: Construct, id: string, props: ConstructorParameters<typeof KubeVirtualService>[2]) {
    super(scope, id, props);
    AppVerification.of(this).verifyChart(Chart.of(this));
    AppVerification.of(this).observeChart(Chart.of(this));
  }

  public override toJson(): any {
    AppVerification.find(this)?.rendered();
    return ApiObject.prototype.toJson.call(this);
  }
}
