import { ServerModel } from '../../model/servers';

/**
 * The entry's servers as Istio Gateway `servers`.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Server
 */
export function istioServers(servers: readonly ServerModel[]): Array<Record<string, unknown>> {
  return servers.map((server) => ({
    port: { number: server.port, name: server.name, protocol: server.protocol },
    hosts: [...server.hosts],
    ...(server.tls !== undefined ? { tls: { mode: server.tls.mode, credentialName: server.tls.credentialName } } : {}),
    ...(server.httpsRedirect ? { tls: { httpsRedirect: true } } : {}),
  }));
}
