import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { IstioEntry } from './istio-entry';
import { versionServiceName } from '../render/gateway-api/routes';
import { checkServiceName } from '../model/validate';
import { APP_LABEL, VERSION_LABEL, Website } from './website';

/**
 * One Service per version of `website`, named `<service>-<subset>` and selecting the `app` and
 * `version` labels, on the website's ports; the backends of the HTTPRoutes. A version added to the
 * website later has no Service, which synthesis reports.
 */
export function versionServices(scope: Construct, website: Website, entry: IstioEntry): Map<string, kplus.Service> {
  const services = new Map<string, kplus.Service>();
  for (const version of website.versions) {
    const name = checkServiceName(`the Service name of version "${version.name}" (<service>-<subsetName>)`, versionServiceName(website.serviceName, version.subsetName));
    const service = new kplus.Service(scope, `Service-${version.name}`, {
      metadata: { name },
      ports: website.service.ports.map((p) => ({ port: p.port, targetPort: p.targetPort, name: p.name, protocol: p.protocol })),
    });
    service.selectLabel(APP_LABEL, website.appLabel);
    service.selectLabel(VERSION_LABEL, version.label);
    entry.labelWithWaypoint(service);
    services.set(version.name, service);
  }
  scope.node.addValidation({
    validate: () => website.versions.filter((v) => !services.has(v.name)).map((v) =>
      `version "${v.name}" was added to the website after the release, so it has no Service for the Gateway API routes to send to; add every version before creating the CanaryRelease`),
  });
  return services;
}
