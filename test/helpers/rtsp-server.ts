import { join } from 'node:path';
import { type Started, startProcess } from './child.ts';
import { projectRoot } from './paths.ts';
import { freePort } from './ports.ts';

export interface RtspServer extends Started {
  port: number;
  url(mount: string): string;
  /** RTSP sessions (streams started) per mount so far. */
  sessions(): Record<string, number>;
}

/**
 * Starts the real GStreamer RTSP server (scripts/rtsp-server.py) serving `mounts` ({ '/cam1': file.mp4 }), asking
 * for `auth` ("user:password", HTTP basic) when given.
 * Debian's interpreter is used on purpose: it is the one that can import the `gi` bindings.
 */
export async function startRtspServer(mounts: Record<string, string>, port?: number, opts: { auth?: string } = {}): Promise<RtspServer> {
  const p = port ?? (await freePort());
  const args = [
    join(projectRoot, 'scripts', 'rtsp-server.py'),
    '--port',
    String(p),
    ...(opts.auth ? ['--auth', opts.auth] : []),
    ...Object.entries(mounts).map(([m, f]) => `${m}=${f}`),
  ];
  // GStreamer's start-up takes seconds on a loaded machine.
  const s = await startProcess('/usr/bin/python3', args, /READY \d+/, { timeoutMs: 30_000 });
  const sessions = () => {
    const out: Record<string, number> = {};
    for (const m of s.output().matchAll(/^SESSION (\S+)$/gm)) out[m[1]] = (out[m[1]] ?? 0) + 1;
    return out;
  };
  return Object.assign(s, { port: p, url: (mount: string) => `rtsp://127.0.0.1:${p}${mount}`, sessions });
}
