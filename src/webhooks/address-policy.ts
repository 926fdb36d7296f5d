/**
 * Which addresses a webhook may reach. By default only public ones: a job's owner chooses the URL,
 * and without this check any user could make the server POST into its own network (cloud metadata
 * at 169.254.169.254, databases on 10/8, the API itself on 127.0.0.1). The check runs on the address
 * the connection actually uses (a `lookup` for `http.request`), so a name that resolves to a public
 * address when checked and a private one when connecting (DNS rebinding) is refused too.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and IPv4-compatible (deprecated; tunnels to any IPv4)
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT)
  ['64:ff9b::', 96], // NAT64, well-known prefix (embeds an IPv4 address)
  ['64:ff9b:1::', 48], // NAT64, local use
  ['100::', 64], // discard
  ['2001::', 32], // Teredo (tunnels to an IPv4 address)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** An IPv4-mapped address (`::ffff:0:0/96`) as the URL parser writes every spelling of it. */
const MAPPED_IPV4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/** The one canonical spelling of an IPv6 address (lower case, `::` compressed, hex), or null. */
function canonicalIpv6(address: string): string | null {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null; // a zone index (`fe80::1%eth0`), which only link-local addresses carry
  }
}

function mappedIpv4(canonical: string): string | null {
  const match = MAPPED_IPV4.exec(canonical);
  if (!match) return null;
  const [high, low] = [Number.parseInt(match[1] ?? '', 16), Number.parseInt(match[2] ?? '', 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * True for an address on the public internet; false for private, local, reserved or malformed.
 * An IPv4-mapped IPv6 address is judged by the IPv4 address inside it; every other IPv6 range that
 * embeds or tunnels to IPv4 (IPv4-compatible, NAT64, 6to4, Teredo) is refused whole.
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return false;
  const canonical = canonicalIpv6(address);
  if (canonical === null) return false;
  const mapped = mappedIpv4(canonical);
  if (mapped !== null) return isPublicAddress(mapped);
  return !NOT_PUBLIC.check(canonical, 'ipv6');
}

export class AddressRefusedError extends Error {
  readonly code = 'EADDRNOTPUBLIC';
  constructor(host: string, address: string) {
    super(
      `${host} resolves to ${address}, a private or local address; set WEBHOOK_ALLOW_PRIVATE=true to allow it`,
    );
    this.name = 'AddressRefusedError';
  }
}

/** A `lookup` for `http.request` that fails the connection when any resolved address is not public. */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (error, addresses: LookupAddress[]) => {
    if (error) {
      callback(error, '', 0);
      return;
    }
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused) {
      callback(new AddressRefusedError(hostname, refused.address), '', 0);
      return;
    }
    if ((options as LookupOptions).all) {
      // net asks for every address (happy eyeballs) with `all: true`, and then expects an array,
      // which Node's LookupFunction type does not describe.
      (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      return;
    }
    const [first] = addresses;
    if (!first)
      callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    else callback(null, first.address, first.family);
  });
};
