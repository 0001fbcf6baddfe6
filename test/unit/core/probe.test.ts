import { type AddressInfo, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { streamAddress, watchForReturn } from '../../../agent/src/core/probe.ts';
import { freePort } from '../../helpers/ports.ts';

describe('streamAddress', () => {
  it.each([
    ['rtsp://admin:pw@10.0.0.5/Streaming/101', { host: '10.0.0.5', port: 554 }],
    ['rtsp://10.0.0.5:8554/cam', { host: '10.0.0.5', port: 8554 }],
    ['rtsps://cam.local/live', { host: 'cam.local', port: 322 }],
    ['http://[fe80::1]/video.mjpg', { host: 'fe80::1', port: 80 }],
    ['https://nvr.example/cam/index.m3u8', { host: 'nvr.example', port: 443 }],
  ])('%s is reached at %j', (url, addr) => {
    expect(streamAddress(url)).toEqual(addr);
  });

  it('has no address for a file', () => {
    expect(streamAddress('/samples/car.mp4')).toBeUndefined();
  });
});

describe('watchForReturn (a real local TCP listener)', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  const listen = (port = 0): Promise<{ server: Server; port: number; connections: () => number }> => {
    let seen = 0;
    const server = createServer((socket) => {
      seen++;
      socket.destroy();
    });
    servers.push(server);
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, connections: () => seen })),
    );
  };

  it('calls back once the address, down at first, answers again', async () => {
    const port = await freePort();
    const returned = vi.fn();
    const stop = watchForReturn({ host: '127.0.0.1', port }, 50, returned);
    await new Promise((r) => setTimeout(r, 200));
    expect(returned).not.toHaveBeenCalled();
    const peer = await listen(port);
    await vi.waitFor(() => expect(returned).toHaveBeenCalledTimes(1), { timeout: 5000 });
    stop();
    expect(peer.connections()).toBeGreaterThanOrEqual(1);
  });

  it('leaves a peer that answers from the start alone: one probe, no callback (it refuses for another reason)', async () => {
    const peer = await listen();
    const returned = vi.fn();
    const stop = watchForReturn({ host: '127.0.0.1', port: peer.port }, 50, returned);
    await vi.waitFor(() => expect(peer.connections()).toBe(1), { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 300));
    stop();
    expect(peer.connections()).toBe(1);
    expect(returned).not.toHaveBeenCalled();
  });

  it('probes no more once stopped', async () => {
    const port = await freePort();
    const returned = vi.fn();
    const stop = watchForReturn({ host: '127.0.0.1', port }, 50, returned);
    stop();
    const peer = await listen(port);
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.connections()).toBe(0);
    expect(returned).not.toHaveBeenCalled();
  });
});
