// The address policy on its own: every form of a local, private or special address is refused
// from the URL alone (no DNS asked), names resolve through the given resolver, and public
// addresses pass. Nothing here touches the network.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDestination, publicAddressesOnly, type Resolve } from '../../app/web/index.ts';

const noDns: Resolve = async (hostname) => assert.fail(`the resolver was asked about ${hostname}`);

async function refusal(url: string, resolve: Resolve = noDns): Promise<string | null> {
  const destination = await checkDestination(new URL(url), publicAddressesOnly, resolve);
  return destination.ok ? null : destination.reason;
}

test('loopback, private, link-local, unique-local, unspecified and other special addresses are refused, in every form', async () => {
  const refused: Array<[url: string, reason: RegExp]> = [
    ['http://127.0.0.1/', /^127\.0\.0\.1 is a loopback address$/],
    ['http://2130706433/', /^127\.0\.0\.1 is a loopback address$/],
    ['http://0177.0.0.1/', /^127\.0\.0\.1 is a loopback address$/],
    ['http://0x7f.1/', /^127\.0\.0\.1 is a loopback address$/],
    ['http://0x7f000001/', /^127\.0\.0\.1 is a loopback address$/],
    ['http://127.1/', /^127\.0\.0\.1 is a loopback address$/],
    ['http://127.255.255.254/', /loopback/],
    ['http://0.0.0.0/', /^0\.0\.0\.0 is an unspecified address$/],
    ['http://0/', /unspecified/],
    ['http://10.0.0.1/', /^10\.0\.0\.1 is a private address$/],
    ['http://172.16.0.1/', /private/],
    ['http://172.31.255.255/', /private/],
    ['http://192.168.1.1/', /private/],
    ['http://0xc0a80101/', /^192\.168\.1\.1 is a private address$/],
    ['http://100.64.0.1/', /carrier-grade NAT/],
    ['http://169.254.169.254/latest/meta-data/', /^169\.254\.169\.254 is a link-local address$/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /reserved/],
    ['http://240.0.0.1/', /reserved/],
    ['http://192.0.2.1/', /documentation/],
    ['http://[::1]/', /^::1 is a loopback address$/],
    ['http://[0:0:0:0:0:0:0:1]/', /^::1 is a loopback address$/],
    ['http://[::]/', /^:: is an unspecified address$/],
    ['http://[::ffff:127.0.0.1]/', /^::ffff:7f00:1 is a loopback address \(127\.0\.0\.1 inside IPv6\)$/],
    ['http://[::ffff:7f00:1]/', /loopback address \(127\.0\.0\.1 inside IPv6\)/],
    ['http://[::ffff:a9fe:a9fe]/', /link-local address \(169\.254\.169\.254 inside IPv6\)/],
    ['http://[::ffff:10.1.2.3]/', /private address \(10\.1\.2\.3 inside IPv6\)/],
    ['http://[64:ff9b::7f00:1]/', /loopback address \(127\.0\.0\.1 inside IPv6\)/], // NAT64
    ['http://[2002:c0a8:101::1]/', /private address \(192\.168\.1\.1 inside IPv6\)/], // 6to4
    ['http://[::127.0.0.1]/', /reserved/], // IPv4-compatible, deprecated
    ['http://[fe80::1]/', /^fe80::1 is a link-local address$/],
    ['http://[fc00::1]/', /unique-local/],
    ['http://[fd12:3456:789a::1]/', /unique-local/],
    ['http://[ff02::1]/', /multicast/],
    ['http://[2001:db8::1]/', /documentation/],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', /reserved/], // Teredo
    ['http://[fec0::1]/', /reserved/],
  ];
  for (const [url, reason] of refused) assert.match((await refusal(url)) ?? 'allowed', reason, url);
});

test('local names are refused before any lookup: localhost, *.localhost, .local, .internal (cloud metadata), home.arpa, names without a domain', async () => {
  for (const [url, name] of [
    ['http://localhost:8080/', 'localhost'],
    ['http://LOCALHOST./', 'localhost'],
    ['http://tram.localhost/', 'tram.localhost'],
    ['http://printer.local/', 'printer.local'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal'],
    ['http://router.home.arpa/', 'router.home.arpa'],
  ]) {
    assert.equal(await refusal(url!), `${name} is a local name`, url);
  }
  assert.equal(await refusal('http://intranet/'), 'intranet is not a public name');
});

test('a name is resolved, and refused when any of its addresses is; a name that cannot be resolved rejects', async () => {
  const table: Record<string, string[]> = {
    'public.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'inside.example': ['93.184.216.34', '192.168.0.10'],
    'mapped.example': ['::ffff:127.0.0.1'],
  };
  const resolve: Resolve = async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const ok = await checkDestination(new URL('https://Public.Example./page'), publicAddressesOnly, resolve);
  assert.deepEqual(ok, { ok: true, addresses: [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 }] });
  assert.equal(await refusal('http://inside.example/', resolve), 'inside.example resolves to 192.168.0.10, a private address');
  assert.equal(await refusal('http://mapped.example/', resolve), 'mapped.example resolves to ::ffff:127.0.0.1, a loopback address (127.0.0.1 inside IPv6)');
  await assert.rejects(checkDestination(new URL('http://nowhere.example/'), publicAddressesOnly, resolve), { code: 'ENOTFOUND' });
});

test('public addresses pass, IPv4 and IPv6, also NAT64 and mapped forms of public IPv4', async () => {
  for (const url of [
    'http://8.8.8.8/',
    'http://93.184.216.34/',
    'http://172.32.0.1/',
    'http://100.128.0.1/',
    'http://[2606:4700:4700::1111]/',
    'http://[64:ff9b::808:808]/',
    'http://[::ffff:8.8.8.8]/',
    'http://[2a00:1450:4001:80b::200e]/',
  ]) {
    assert.equal(await refusal(url), null, url);
  }
});
