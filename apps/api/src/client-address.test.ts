import { describe, expect, it } from "vitest";
import { clientAddress, compileTrust } from "./client-address.ts";

describe("the client address", () => {
  const none = compileTrust("");
  const proxies = compileTrust("10.0.0.0/8, 127.0.0.1");

  it("is the socket peer when no proxy is trusted, whatever the headers say", () => {
    expect(clientAddress("203.0.113.9", { forwardedFor: "1.2.3.4", realIp: "5.6.7.8" }, none)).toBe("203.0.113.9");
  });

  it("is the socket peer when the peer is not a trusted proxy", () => {
    expect(clientAddress("203.0.113.9", { forwardedFor: "1.2.3.4" }, proxies)).toBe("203.0.113.9");
  });

  it("behind trusted proxies is the right-most hop that is not one of them", () => {
    // The client wrote "6.6.6.6" itself; the proxy appended the address it saw.
    expect(clientAddress("10.0.0.2", { forwardedFor: "6.6.6.6, 198.51.100.20" }, proxies)).toBe("198.51.100.20");
    // Two proxies deep (the inner one is trusted too).
    expect(clientAddress("127.0.0.1", { forwardedFor: "6.6.6.6, 198.51.100.20, 10.1.1.1" }, proxies)).toBe(
      "198.51.100.20",
    );
    // Everything trusted: the left-most address.
    expect(clientAddress("10.0.0.2", { forwardedFor: "10.9.9.9" }, proxies)).toBe("10.9.9.9");
  });

  it("takes X-Real-IP from a trusted proxy that sends only that", () => {
    expect(clientAddress("10.0.0.2", { realIp: "198.51.100.21" }, proxies)).toBe("198.51.100.21");
    expect(clientAddress("10.0.0.2", { realIp: "not an address" }, proxies)).toBe("10.0.0.2");
  });

  it("does not believe a forwarded value that is not an IP address", () => {
    expect(clientAddress("10.0.0.2", { forwardedFor: "<script>, evil" }, proxies)).toBe("10.0.0.2");
  });

  it("writes IPv4-mapped IPv6 peers as IPv4, and knows no address as 'unknown'", () => {
    expect(clientAddress("::ffff:203.0.113.9", {}, none)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:10.0.0.2", { forwardedFor: "198.51.100.22" }, proxies)).toBe("198.51.100.22");
    expect(clientAddress(undefined, { forwardedFor: "1.2.3.4" }, proxies)).toBe("unknown");
  });

  it("refuses a TRUSTED_PROXIES entry that is not an address or range", () => {
    expect(() => compileTrust("10.0.0.0/8, proxy.example")).toThrow();
  });
});
