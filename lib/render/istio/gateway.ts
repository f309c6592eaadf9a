import { GatewaySpecServers, GatewaySpecServersTlsMode } from '../../../imports/networking.istio.io';
import { ServerModel } from '../../model/servers';

/**
 * The entry's servers as Istio Gateway `servers`.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Server
 */
export function istioServers(servers: readonly ServerModel[]): GatewaySpecServers[] {
  return servers.map((server) => ({
    port: { number: server.port, name: server.name, protocol: server.protocol },
    hosts: [...server.hosts],
    // The mode is a validated `TlsMode`, whose values are Istio's own.
    ...(server.tls !== undefined ? { tls: { mode: server.tls.mode as GatewaySpecServersTlsMode, credentialName: server.tls.credentialName } } : {}),
    ...(server.httpsRedirect ? { tls: { httpsRedirect: true } } : {}),
  }));
}
