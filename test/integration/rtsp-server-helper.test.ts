import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sample } from '../helpers/paths.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

/** Local addresses (hex, as the kernel lists them) of sockets listening on `port`. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length > 3 && f[3] === '0A' && f[1].endsWith(`:${hexPort}`))
      .map((f) => f[1].split(':')[0]),
  );
}

describe('scripts/rtsp-server.py', () => {
  let server: RtspServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('listens on loopback only', async () => {
    server = await startRtspServer({ '/cam1': sample('car-detection.mp4') });
    // 127.0.0.1 as /proc/net/tcp writes it (little-endian hex); no 0.0.0.0 or :: listener.
    expect(listeners(server.port)).toEqual(['0100007F']);
  });
});
