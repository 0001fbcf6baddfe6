import { BlockList, isIP } from 'node:net';

/** The reverse proxies whose X-Forwarded-For is believed; entries already checked by the config's schema. */
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
