// Which addresses a web page may be read from: public ones only. A search result or a redirect
// may point anywhere (this machine, the local network, a cloud metadata service), so every hop's
// host is resolved here, every address it resolves to is checked, and the connection is then made
// to those checked addresses only (no second DNS answer between the check and the connection).
import { lookup, type LookupAddress } from 'node:dns';
import { isIP, isIPv4, type LookupFunction } from 'node:net';

/** Why an address may not be read from, or null when it may. */
export type AddressPolicy = (address: string) => string | null;

/** A host name's addresses (the system resolver by default; tests give their own). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) => lookup(hostname, { all: true, order: 'verbatim' }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/** Special-purpose ranges (IANA registries), first match wins; the name says why each is refused. */
const SPECIAL: Array<[cidr: string, what: string]> = [
  ['0.0.0.0/8', 'an unspecified address'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'a reserved address'],
  ['192.0.2.0/24', 'a documentation address'],
  ['192.88.99.0/24', 'a reserved address'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a reserved address'],
  ['198.51.100.0/24', 'a documentation address'],
  ['203.0.113.0/24', 'a documentation address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved address'], // with the broadcast address 255.255.255.255
  ['::/128', 'an unspecified address'],
  ['::1/128', 'a loopback address'],
  ['64:ff9b:1::/48', 'a reserved address'], // local-use NAT64
  ['100::/64', 'a reserved address'], // discard-only
  ['2001:db8::/32', 'a documentation address'],
  ['2001::/23', 'a reserved address'], // IETF protocol assignments, Teredo among them
  ['3fff::/20', 'a documentation address'],
  ['fc00::/7', 'a unique-local address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a reserved address'], // site-local, deprecated
  ['ff00::/8', 'a multicast address'],
];

/** IPv6 ranges that carry an IPv4 address, checked as that address: [prefix, where its 4 bytes start]. */
const EMBEDDING: Array<[cidr: string, at: number]> = [
  ['::ffff:0:0/96', 12], // IPv4-mapped
  ['64:ff9b::/96', 12], // NAT64
  ['2002::/16', 2], // 6to4
];

type Range = { bytes: Uint8Array; prefix: number };

function range(cidr: string): Range {
  const [address, prefix] = cidr.split('/');
  return { bytes: addressBytes(address!), prefix: Number(prefix) };
}

const specialRanges = SPECIAL.map(([cidr, what]) => ({ ...range(cidr), what }));
const embeddingRanges = EMBEDDING.map(([cidr, at]) => ({ ...range(cidr), at }));
const globalUnicast = range('2000::/3');

function inRange(bytes: Uint8Array, { bytes: net, prefix }: Range): boolean {
  if (bytes.length !== net.length) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const mask = prefix - bit >= 8 ? 0xff : (0xff << (8 - (prefix - bit))) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (net[bit / 8]! & mask)) return false;
  }
  return true;
}

/** The 4 or 16 bytes of an IP address already known to be valid (net.isIP). */
function addressBytes(address: string): Uint8Array {
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  let text = address.replace(/%.*$/, ''); // a zone (fe80::1%eth0) says nothing about the range
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const [a, b, c, d] = dotted.split('.').map(Number);
    text = `${text.slice(0, -dotted.length)}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

function describeBytes(bytes: Uint8Array): string | null {
  for (const special of specialRanges) if (inRange(bytes, special)) return special.what;
  if (bytes.length === 4) return null;
  for (const embedding of embeddingRanges) {
    if (!inRange(bytes, embedding)) continue;
    const v4 = bytes.subarray(embedding.at, embedding.at + 4);
    const what = describeBytes(v4);
    return what && `${what} (${v4.join('.')} inside IPv6)`;
  }
  return inRange(bytes, globalUnicast) ? null : 'a reserved address';
}

/** The product's policy: public unicast addresses only, IPv4 and IPv6. */
export const publicAddressesOnly: AddressPolicy = (address) => {
  if (!isIP(address)) return 'not an IP address';
  return describeBytes(addressBytes(address));
};

/** Names that are this machine or a private network whatever DNS says (RFC 6761, 6762, 8375; ICANN's .internal). */
const LOCAL_NAMES = /(?:^|\.)(?:localhost|local|internal|home\.arpa)$/;

/** Why a host name may not be read from before it is even resolved, or null. */
function localName(hostname: string): string | null {
  if (LOCAL_NAMES.test(hostname)) return `${hostname} is a local name`;
  if (!hostname.includes('.')) return `${hostname} is not a public name`;
  return null;
}

export type Destination = { ok: true; addresses: LookupAddress[] } | { ok: false; reason: string };

/** What the URL alone tells: an IP address checked, a local name refused, or a name to resolve. */
function fromUrl(url: URL, policy: AddressPolicy): Destination | { name: string } {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  if (family) {
    const why = policy(host);
    return why ? { ok: false, reason: `${host} is ${why}` } : { ok: true, addresses: [{ address: host, family }] };
  }
  const name = host.replace(/\.$/, '').toLowerCase();
  const local = localName(name);
  return local ? { ok: false, reason: local } : { name };
}

/**
 * The addresses a URL's host may be read from (all of them checked), or why it may not. An IP
 * address in any form is already normalised by the URL parser (2130706433, 0x7f.1, 127.1 and
 * 0177.0.0.1 are all 127.0.0.1; [::ffff:127.0.0.1] is [::ffff:7f00:1]). A name that cannot be
 * resolved rejects with the resolver's error.
 */
export async function checkDestination(url: URL, policy: AddressPolicy, resolve: Resolve): Promise<Destination> {
  const known = fromUrl(url, policy);
  if (!('name' in known)) return known;
  const addresses = await resolve(known.name);
  if (addresses.length === 0) throw Object.assign(new Error(`no address for ${known.name}`), { code: 'ENOTFOUND' });
  for (const { address } of addresses) {
    const why = policy(address);
    if (why) return { ok: false, reason: `${known.name} resolves to ${address}, ${why}` };
  }
  return { ok: true, addresses };
}

/** Why a URL is refused from what it says alone (no DNS), or null: for pages kept from before. */
export function refusedWithoutLookup(url: string, policy: AddressPolicy): string | null {
  try {
    const known = fromUrl(new URL(url), policy);
    return 'ok' in known && !known.ok ? known.reason : null;
  } catch {
    return 'not a valid address';
  }
}

/** A lookup for node:net that answers only the addresses already checked, whatever the name. */
export function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const usable = options.family ? addresses.filter((a) => a.family === options.family) : addresses;
    process.nextTick(() => {
      if (usable.length === 0) callback(Object.assign(new Error(`no IPv${options.family} address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      else if (options.all) callback(null, usable);
      else callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}
