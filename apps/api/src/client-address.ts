import { isIP } from "node:net";
import proxyaddr from "proxy-addr";

/** Decides which peers are trusted proxies (addresses, CIDR ranges, or proxy-addr's names such as `loopback`). */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * Compiles a TRUSTED_PROXIES list (comma-separated IPs and CIDRs, e.g. `10.0.0.0/8,127.0.0.1`;
 * also `loopback`, `linklocal`, `uniquelocal`). Empty: no proxy is trusted, and forwarded
 * headers are ignored. Throws on an entry that is not an address or range.
 */
export function compileTrust(list: string | string[]): ProxyTrust {
  const entries = (Array.isArray(list) ? list : list.split(",")).map((s) => s.trim()).filter(Boolean);
  return proxyaddr.compile(entries);
}

/** `::ffff:1.2.3.4` → `1.2.3.4`, so that one client has one key whichever socket family it came over. */
function normalise(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
}

/**
 * The address of the client behind a request. The socket peer, unless the peer is a trusted proxy:
 * then the right-most address in X-Forwarded-For that is not itself a trusted proxy (what the
 * last trusted hop saw; anything to its left was written by the client and may be forged), or
 * X-Real-IP when the proxy sends only that. A forwarded value that is not an IP address is not
 * believed (the peer's address is used).
 */
export function clientAddress(
  peer: string | undefined,
  headers: { forwardedFor?: string | undefined; realIp?: string | undefined },
  trust: ProxyTrust,
): string {
  if (!peer) return "unknown";
  const socket = normalise(peer);
  if (!trust(socket, 0)) return socket;
  if (headers.forwardedFor) {
    const request = { headers: { "x-forwarded-for": headers.forwardedFor }, socket: { remoteAddress: socket } };
    const hop = normalise(proxyaddr(request as unknown as Parameters<typeof proxyaddr>[0], trust));
    return isIP(hop) ? hop : socket;
  }
  const real = headers.realIp?.trim();
  return real && isIP(real) ? normalise(real) : socket;
}
