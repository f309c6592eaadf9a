import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { versionServiceName } from './routes';
import { checkServiceName } from '../../model/validate';
import type { ReleaseModel } from '../renderer';

/**
 * One Service per version of the website, named `<service>-<subset>` and selecting the website's
 * and the version's labels, on the website's ports; the backends of the HTTPRoutes. A version added
 * to the website later has no Service, which synthesis reports.
 */
export function versionServices(scope: Construct, release: ReleaseModel): Map<string, kplus.Service> {
  const services = new Map<string, kplus.Service>();
  for (const version of release.versions()) {
    const name = checkServiceName(`the Service name of version "${version.name}" (<service>-<subsetName>)`, versionServiceName(release.serviceName, version.subsetName));
    const service = new kplus.Service(scope, `Service-${version.name}`, {
      metadata: { name },
      ports: release.servicePorts.map((p) => ({ port: p.port, targetPort: p.targetPort, name: p.name, protocol: p.protocol })),
    });
    for (const [key, value] of [...Object.entries(release.appSelector), ...Object.entries(version.versionSelector)]) {
      service.selectLabel(key, value);
    }
    release.labelService(service);
    services.set(version.name, service);
  }
  scope.node.addValidation({
    validate: () => release.versions().filter((v) => !services.has(v.name)).map((v) =>
      `version "${v.name}" was added to the website after the release, so it has no Service for the Gateway API routes to send to; add every version before creating the CanaryRelease`),
  });
  return services;
}
