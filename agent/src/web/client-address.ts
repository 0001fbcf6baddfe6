import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** `10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`: an address or a network (CIDR). */
export function isAddressOrNetwork(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  const family = isIP(ip);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * The reverse proxies in front of a web console (nginx, a load balancer): only from these is X-Forwarded-For believed,
 * so that failed logins are counted per real client rather than for everyone behind the proxy.
 */
export const trustedProxiesSchema = z
  .array(z.string().refine(isAddressOrNetwork, { error: 'expected an IP address or a network in CIDR form, e.g. 10.0.0.5 or 10.0.0.0/24' }))
  .max(64)
  .default([])
  .meta({
    description:
      "Reverse proxies in front of the console (addresses or CIDR networks, e.g. [127.0.0.1] for nginx on the same machine): the client's address is taken from their X-Forwarded-For, for counting failed logins per client. Default none: the connection's address.",
  });

/** The reverse proxies whose X-Forwarded-For is believed; entries already checked by `trustedProxiesSchema`. */
export function trustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [ip, bits] = e.split('/');
    const type = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(bits), type);
  }
  return list;
}

/** `::ffff:10.0.0.5` (an IPv4 client of a dual-stack socket) is `10.0.0.5`. */
function plain(address: string): string {
  const a = address.trim();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

function trusted(proxies: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Who is at the other end: the peer, unless the peer is a trusted proxy; then X-Forwarded-For read from the right
 * (each trusted proxy appends the address it saw) up to the first address that is not a trusted proxy. What a client
 * wrote into the header itself stands left of that and is never believed; an entry that is not an address ends the
 * walk at the last proxy known.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, proxies: BlockList | undefined): string {
  let address = plain(peer ?? 'unknown');
  if (!proxies || !forwardedFor || !trusted(proxies, address)) return address;
  const hops = forwardedFor.split(',').slice(-32);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plain(hops[i]);
    if (isIP(hop) === 0) return address;
    address = hop;
    if (!trusted(proxies, hop)) return hop;
  }
  return address;
}
