import { describe, expect, it } from 'vitest';
import { clientAddress, isAddressOrNetwork, trustedProxies } from '../../../agent/src/web/client-address.ts';
import { Limiter } from '../../../agent/src/web/limiter.ts';

describe("the client's address behind a reverse proxy", () => {
  const proxies = trustedProxies(['127.0.0.1', '10.1.0.0/16', 'fd00::/8']);

  it('is the connection’s address when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress('198.51.100.4', '10.9.9.9', proxies)).toBe('198.51.100.4');
    expect(clientAddress('::ffff:198.51.100.4', undefined, proxies)).toBe('198.51.100.4');
    expect(clientAddress('127.0.0.1', '203.0.113.5', undefined)).toBe('127.0.0.1');
  });

  it('is the first address from the right that is not a trusted proxy; what the client wrote further left is ignored', () => {
    expect(clientAddress('::ffff:127.0.0.1', '203.0.113.5', proxies)).toBe('203.0.113.5');
    expect(clientAddress('127.0.0.1', '1.2.3.4, 203.0.113.5, 10.1.2.3', proxies)).toBe('203.0.113.5');
    expect(clientAddress('127.0.0.1', 'fd00::7, 2001:db8::1', proxies)).toBe('2001:db8::1');
    expect(clientAddress('127.0.0.1', '10.1.0.9', proxies)).toBe('10.1.0.9');
  });

  it('stops at the last trusted hop when an entry is not an address', () => {
    expect(clientAddress('127.0.0.1', 'garbage', proxies)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '203.0.113.5, not-an-ip, 10.1.0.9', proxies)).toBe('10.1.0.9');
  });

  it('the config takes addresses and CIDR networks only', () => {
    for (const ok of ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '0.0.0.0/0']) expect(isAddressOrNetwork(ok), ok).toBe(true);
    for (const bad of ['localhost', '10.0.0.0/33', '::1/129', '10.0.0.0/8/8', '10.0.0.0/', ''])
      expect(isAddressOrNetwork(bad), bad).toBe(false);
  });
});

describe('password checks at once', () => {
  it('runs at most `concurrency` tasks together, queues `queue` more and refuses the rest', async () => {
    const limiter = new Limiter(2, 3);
    let running = 0;
    let most = 0;
    const task = async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return 'checked';
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => limiter.run(task)));
    expect(most).toBe(2);
    expect(results.filter((r) => r?.value === 'checked')).toHaveLength(5);
    expect(results.filter((r) => r === undefined)).toHaveLength(3);
    expect(await limiter.run(task)).toEqual({ value: 'checked' });
  });
});
