import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { istioServers } from './gateway';
import { IstioDestinationRule, IstioGateway, IstioVirtualService } from './objects';
import { renderHttpRules } from './routes';
import { istioTrafficPolicy } from './traffic-policy';
import { show } from '../../model/validate';
import type { EntryApiProps, EntryModel, ReleaseModel, TrafficRenderer } from '../renderer';

/** Istio's own API: a Gateway, a VirtualService, and a DestinationRule with a subset per version. */
export const ISTIO_RENDERER: TrafficRenderer = {
  checkEntryProps(props: EntryApiProps): void {
    for (const prop of ['gatewayClassName', 'routeName', 'waypoint'] as const) {
      if (props[prop] !== undefined) {
        throw new Error(`${prop} applies to the Gateway API only, got ${show(props[prop])}; set api: TrafficApi.GATEWAY_API, or leave ${prop} out`);
      }
    }
  },

  checkServers(): void {
    // An Istio Gateway expresses every server the entry accepts.
  },

  gateway(scope: Construct, entry: EntryModel) {
    const gateway = new IstioGateway(scope, 'Gateway', {
      metadata: entry.gatewayName !== undefined ? { name: entry.gatewayName } : {},
      spec: { selector: { ...entry.selector }, servers: istioServers(entry.servers) },
    });
    return { name: gateway.name, gateway };
  },

  routes(scope: Construct, entry: EntryModel, gatewayName: string) {
    const virtualService = new IstioVirtualService(scope, 'Resource', {
      metadata: entry.virtualServiceName !== undefined ? { name: entry.virtualServiceName } : {},
      spec: {
        hosts: [...entry.routeHosts],
        gateways: entry.meshGateway !== undefined ? [gatewayName, entry.meshGateway] : [gatewayName],
        // Rendered at synthesis, so that a release attached later still reaches the output.
        http: Lazy.any({ produce: () => renderHttpRules(entry.rules()) }),
      },
    });
    return { virtualService };
  },

  checkRelease(): void {
    // Istio's API expresses every release option.
  },

  release(scope: Construct, release: ReleaseModel) {
    const policies = release.versionTrafficPolicies;
    const destinationRule = new IstioDestinationRule(scope, 'Resource', {
      metadata: release.destinationRuleName !== undefined ? { name: release.destinationRuleName } : {},
      spec: {
        host: release.serviceName,
        ...(release.trafficPolicy !== undefined ? { trafficPolicy: istioTrafficPolicy(release.trafficPolicy) } : {}),
        // Rendered at synthesis, so that versions added later get their subsets too.
        subsets: Lazy.any({
          produce: () => release.versions().map((v) => ({
            name: v.subsetName,
            labels: { ...v.versionSelector },
            ...(policies.has(v.name) ? { trafficPolicy: istioTrafficPolicy(policies.get(v.name)!) } : {}),
          })),
        }),
      },
    });
    return { destinationRule, versionServices: new Map() };
  },
};
