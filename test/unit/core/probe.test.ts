import { describe, expect, it } from 'vitest';
import { streamAddress } from '../../../agent/src/core/probe.ts';

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
