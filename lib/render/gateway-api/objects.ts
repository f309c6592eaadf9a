import { ApiObject } from 'cdk8s';
import { Gateway as KubeGateway, HttpRoute as KubeHttpRoute } from '../../../imports/gateway.networking.k8s.io';

/*
 * As for the Istio objects: the library builds the Gateway API's JSON itself, so these subclasses
 * render their props as given instead of through the generated mapping. The tests validate the
 * output against the v1.5.1 CRD schemas, unknown fields included.
 */

/** A Gateway API Gateway rendered from its JSON. */
export class GatewayApiGateway extends KubeGateway {
  public override toJson(): Record<string, unknown> {
    return ApiObject.prototype.toJson.call(this);
  }
}

/** A Gateway API HTTPRoute rendered from its JSON. */
export class GatewayApiHttpRoute extends KubeHttpRoute {
  public override toJson(): Record<string, unknown> {
    return ApiObject.prototype.toJson.call(this);
  }
}
