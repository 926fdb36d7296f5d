/** Which receiver addresses webhooks may reach by default. */
import { describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../src/webhooks/address-policy.js';

describe('isPublicAddress', () => {
  it('refuses private, local, reserved and malformed addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fe80::1',
      'fd00::1',
      'fc00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'localhost',
      'not an address',
      '',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('allows public addresses', () => {
    for (const address of [
      '1.1.1.1',
      '8.8.8.8',
      '172.32.0.1',
      '192.169.0.1',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
    ]) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });

  it('refuses the special IPv6 ranges that reach IPv4 or local networks', () => {
    for (const address of [
      // ::/96, IPv4-compatible (deprecated): even a public IPv4 inside is refused.
      '::7f00:1',
      '::127.0.0.1',
      '::808:808',
      '::8.8.8.8',
      // ::ffff:0:0/96, IPv4-mapped, in every spelling: judged by the IPv4 inside.
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:7f00:1',
      '::FFFF:A9FE:A9FE',
      '::ffff:a00:1',
      // ::ffff:0:0:0/96, IPv4-translated.
      '::ffff:0:808:808',
      // 64:ff9b::/96 (NAT64), 64:ff9b:1::/48 (local-use NAT64).
      '64:ff9b::808:808',
      '64:ff9b:1::1',
      '64:ff9b:1:ffff::a00:1',
      // 2002::/16 (6to4), 2001::/32 (Teredo): both tunnel to an IPv4 address.
      '2002:7f00:1::1',
      '2002:808:808::1',
      '2001:0:4136:e378:8000:63bf:3fff:fdd2',
      '2001::1',
      // fec0::/10, site-local (deprecated, still routed inside some networks).
      'fec0::1',
      'feff::1',
      // A zone index: only ever link-local.
      'fe80::1%eth0',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('allows public IPv6, and IPv4-mapped public IPv4 in any spelling', () => {
    for (const address of [
      '::ffff:808:808',
      '0:0:0:0:0:FFFF:8.8.8.8',
      '2001:4860:4860::8888',
      '2001:1::1',
      '2003::1',
      '2a00:1450:4001:80b::200e',
      'fbff::1',
    ]) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });
});
