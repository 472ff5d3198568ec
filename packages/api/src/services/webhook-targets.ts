import { lookup } from "node:dns/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { invalid } from "@zongzhi/domain";
import ipaddr from "ipaddr.js";

// Why (SSRF): a webhook URL is chosen by a unit's administrator and fetched by the server, from
// inside the deployment's network. Unchecked, it reaches what only the server can reach: the
// database and job queue on loopback, other hosts on the private network, and the cloud's
// metadata service (169.254.169.254, 100.100.100.200, fd00:ec2::254) that hands out credentials.
// So a target is allowed only when every address its name resolves to is a public unicast
// address, checked when the webhook is registered and again at every delivery; the delivery then
// connects to exactly the address that was checked (its own lookup answers with it), so a name
// that resolves to a public address for the check and to 127.0.0.1 a moment later (DNS
// rebinding) reaches nothing.

/** One address a host name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** How webhook targets are resolved and which addresses they may have. */
export interface WebhookNetwork {
  /** Receivers on this machine (127.0.0.0/8, ::1): development and tests only, never in production. */
  allowLoopback: boolean;
  /** Every address of a host name (default: the system resolver). */
  resolve?: (host: string) => Promise<ResolvedAddress[]>;
}

/** The production policy: public unicast addresses only, the system resolver. */
export const PUBLIC_ONLY: WebhookNetwork = { allowLoopback: false };

const systemResolve = async (host: string): Promise<ResolvedAddress[]> =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

const urlRefused = (zh: string, en: string) => invalid({ zh, en }, { fields: [{ path: "url", zh, en }] });

/** Whether a webhook may connect to `address` (an IP literal): public unicast, or loopback when allowed. */
export function addressAllowed(address: string, network: Pick<WebhookNetwork, "allowLoopback">): boolean {
  if (!ipaddr.isValid(address)) return false;
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
  const range = ipaddr.process(address).range();
  return range === "unicast" || (network.allowLoopback && range === "loopback");
}

/** The host of a URL as the resolver and the address check take it (IPv6 without brackets). */
function hostOf(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Resolves a webhook URL's host and checks every address it has; answers the addresses (all
 * allowed) or refuses with a bilingual 400 that says why. An IP literal is checked as it is.
 */
export async function checkWebhookTarget(rawUrl: string, network: WebhookNetwork): Promise<ResolvedAddress[]> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw urlRefused("推送地址不是有效的网址", "The webhook URL is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw urlRefused("推送地址须为 https 地址", "A webhook URL is https");
  }
  if (url.username || url.password) {
    throw urlRefused("推送地址不能包含用户名或密码", "A webhook URL cannot carry a user name or password");
  }
  const host = hostOf(url);
  let addresses: ResolvedAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === "ipv6" ? 6 : 4 }];
  } else if (host === "localhost" || host.endsWith(".localhost")) {
    // RFC 6761: these names are loopback whatever a resolver says.
    addresses = [
      { address: "127.0.0.1", family: 4 },
      { address: "::1", family: 6 },
    ];
  } else {
    try {
      addresses = await (network.resolve ?? systemResolve)(host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) {
      throw urlRefused(`推送地址的主机名 ${host} 无法解析`, `The webhook host ${host} does not resolve to any address`);
    }
  }
  const bad = addresses.find((a) => !addressAllowed(a.address, network));
  if (bad) {
    throw urlRefused(
      `推送地址不能指向本机、内网、链路本地或云元数据地址（${host} → ${bad.address}）`,
      `A webhook cannot point at loopback, private, link-local or metadata addresses (${host} → ${bad.address})`,
    );
  }
  return addresses;
}

/** What a delivery answered. */
export interface DeliveryAnswer {
  status: number;
}

/**
 * POSTs `body` to a webhook URL after {@link checkWebhookTarget}, connecting only to the first
 * address that check allowed: the socket's lookup answers with that address, never asks DNS
 * again, and redirects are not followed. TLS still verifies the certificate against the URL's
 * host name (SNI and the Host header keep the name). Refusals and network failures throw.
 */
export async function postToWebhook(
  rawUrl: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number },
  network: WebhookNetwork,
): Promise<DeliveryAnswer> {
  const [pinned] = await checkWebhookTarget(rawUrl, network);
  const url = new URL(rawUrl);
  const pinnedLookup: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: pinned!.address, family: pinned!.family }]);
    else callback(null, pinned!.address, pinned!.family);
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<DeliveryAnswer>((done, fail) => {
    const req = send(
      url,
      {
        method: "POST",
        headers: { ...init.headers, "content-length": String(Buffer.byteLength(init.body)) },
        lookup: pinnedLookup,
        // One connection per delivery: a pooled socket could outlive the address it was checked for.
        agent: false,
        timeout: init.timeoutMs,
      },
      (res) => {
        // The receiver's body is not read: only its status counts.
        res.resume();
        done({ status: res.statusCode ?? 0 });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out after ${init.timeoutMs} ms`)));
    req.on("error", fail);
    req.end(init.body);
  });
}
