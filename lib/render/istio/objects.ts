import { ApiObject } from 'cdk8s';
import {
  DestinationRule as KubeDestinationRule,
  Gateway as KubeGateway,
  VirtualService as KubeVirtualService,
} from '../../../imports/networking.istio.io';

/*
 * The generated classes map their TypeScript props to JSON keys when rendered, and drop what
 * they do not know. This library builds Istio's JSON itself (some keys differ from the generated
 * names: `consecutive5xxErrors` is `consecutive5XxErrors` there), so these subclasses render their
 * props as given. The generated types still describe the objects; the tests validate the output
 * against Istio's CRD schemas, unknown fields included.
 */

/** An Istio Gateway rendered from Istio-native JSON. */
export class IstioGateway extends KubeGateway {
  public override toJson(): Record<string, unknown> {
    return ApiObject.prototype.toJson.call(this);
  }
}

/** An Istio DestinationRule rendered from Istio-native JSON. */
export class IstioDestinationRule extends KubeDestinationRule {
  public override toJson(): Record<string, unknown> {
    return ApiObject.prototype.toJson.call(this);
  }
}

/**
 * An Istio VirtualService rendered from Istio-native JSON.
 */
export class IstioVirtualService extends KubeVirtualService {
  public override toJson(): Record<string, unknown> {
    return ApiObject.prototype.toJson.call(this);
  }
}
