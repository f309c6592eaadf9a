/**
 * The servers (listeners) of an entry, as plain validated values that either API renders.
 */

/** TLS of an HTTPS server. */
export interface ServerTlsModel {
  /** `SIMPLE` or `MUTUAL`, the values of `TlsMode`. */
  readonly mode: string;
  /** The Secret holding the certificate and key. */
  readonly credentialName: string;
}

/** One validated server of an entry. */
export interface ServerModel {
  /** The port number. */
  readonly port: number;
  /** The port's name, unique within the entry. */
  readonly name: string;
  /** `HTTP`, `HTTP2` or `HTTPS`, the values of `GatewayProtocol`. */
  readonly protocol: string;
  /** The hosts the server accepts. */
  readonly hosts: readonly string[];
  /**
   * TLS settings (HTTPS servers only).
   * @default - none
   */
  readonly tls?: ServerTlsModel;
  /** Whether every request is answered with a redirect to HTTPS (HTTP servers only). */
  readonly httpsRedirect: boolean;
}
