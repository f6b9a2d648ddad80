/**
 * Media URLs a page sends are fetched by NavTalk's servers, so the proxy refuses the ones that only make
 * sense as probes of someone's private network: other schemes, credentials, localhost, private, loopback,
 * link-local and unique-local address literals, and names that only resolve inside a network. (A public
 * name that resolves to a private address cannot be caught without DNS; NavTalk's fetcher must guard that.)
 */

const PRIVATE_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.localdomain', '.lan', '.intranet', '.corp'];

/** IPv4 blocks that are not publicly routable (RFC 6890 and friends). */
const V4_RANGES = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24',
  '224.0.0.0/4', '240.0.0.0/4',
].map((cidr) => {
  const [addr, bits] = cidr.split('/') as [string, string];
  return { base: ipv4ToNumber(addr)!, bits: Number(bits) };
});
function ipv4ToNumber(host: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

function isPrivateIpv4(n: number): boolean {
  return V4_RANGES.some(({ base, bits }) => n >>> (32 - bits) === base >>> (32 - bits));
}

/** The 8 hextets of an IPv6 literal as the URL parser serializes it (lowercase hex, `::` compression). */
export function ipv6Hextets(host: string): number[] | null {
  const halves = host.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => (/^[0-9a-f]{1,4}$/.test(h) ? parseInt(h, 16) : NaN)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return null;
  const all = [...head, ...Array<number>(fill).fill(0), ...tail];
  return all.some(Number.isNaN) ? null : all;
}

function isPrivateIpv6(h: number[]): boolean {
  const embeddedV4 = ((h[6]! << 16) | h[7]!) >>> 0;
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8) || (zeros(0, 7) && h[7] === 1)) return true; // unspecified, loopback
  if (zeros(0, 5) && h[5] === 0xffff) return isPrivateIpv4(embeddedV4); // IPv4-mapped
  if (zeros(0, 6)) return true; // IPv4-compatible (deprecated)
  if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return isPrivateIpv4(embeddedV4); // NAT64
  if (h[0] === 0x2002) return isPrivateIpv4(((h[1]! << 16) | h[2]!) >>> 0); // 6to4
  const first = h[0]!;
  return (first & 0xfe00) === 0xfc00 // unique local fc00::/7
    || (first & 0xffc0) === 0xfe80 // link-local fe80::/10
    || (first & 0xffc0) === 0xfec0 // site-local fec0::/10
    || (first & 0xff00) === 0xff00 // multicast
    || (first === 0x2001 && h[1] === 0x0db8) // documentation
    || (first === 0x0100 && zeros(1, 4)); // discard-only 100::/64
}

/**
 * Why a media URL is refused, or null when it may be sent upstream. `trustedOrigins` skip the address rules
 * (not the scheme and credential rules), for a local demo whose sample media live on 127.0.0.1.
 */
export function unsafeUrlReason(value: string, trustedOrigins: ReadonlySet<string> = new Set()): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (trustedOrigins.has(url.origin)) return null;
  // The URL parser has already normalized the host: lowercase, IPv4 in dotted quads (even from 0x7f.1 or
  // 2130706433), IPv6 in brackets with compressed hex.
  const host = url.hostname.replace(/\.$/, '');
  if (host.startsWith('[')) {
    const hextets = ipv6Hextets(host.slice(1, -1));
    return !hextets || isPrivateIpv6(hextets) ? 'points to a private, loopback or link-local address' : null;
  }
  const v4 = ipv4ToNumber(host);
  if (v4 !== null) return isPrivateIpv4(v4) ? 'points to a private, loopback or link-local address' : null;
  if (host === 'localhost' || PRIVATE_SUFFIXES.some((s) => host.endsWith(s))) return 'points to a local or internal host name';
  if (!host.includes('.')) return 'must use a public host name';
  return null;
}
