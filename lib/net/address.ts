/**
 * Broker addresses as text: `host:port`, an IPv6 host in brackets
 * (`[::1]:9092`), as in `bootstrap.servers` and the connection pool's keys.
 *
 * @module
 */

/** A broker's host and TCP port. */
export interface BrokerAddress {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:\[\]/]+)):(\d{1,5})$/;

/**
 * Reads `host:port` or `[ipv6]:port` (port 1..65535); null when `text` is
 * neither (an IPv6 host without brackets included).
 */
export function parseAddress(text: string): BrokerAddress | null {
  const match = HOST_PORT.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2], port };
}

/** `host:port`, the host in brackets when it is an IPv6 address. */
export function formatAddress(address: BrokerAddress): string {
  const { host, port } = address;
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
