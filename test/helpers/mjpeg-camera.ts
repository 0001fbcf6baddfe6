import { createServer, type ServerResponse } from 'node:http';

/** A live IP camera over HTTP (multipart JPEG, as many cameras serve it) whose picture the test changes while it streams. */
export interface MjpegCamera {
  /** The stream's address, for a camera's `url`. */
  url: string;
  /** From the next frame on, the camera shows `scene` (one of those it was started with). */
  show(scene: string): void;
  close(): Promise<void>;
}

/** Serves `scenes` (JPEGs by name) at `fps` on loopback, starting with `first`; every viewer sees the current scene. */
export async function startMjpegCamera(scenes: Record<string, Buffer>, first: string, fps: number): Promise<MjpegCamera> {
  let current = scenes[first];
  if (!current) throw new Error(`no scene ${first}`);
  const viewers = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (req.url !== '/video.mjpg') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace;boundary=frame' });
    viewers.add(res);
    res.on('close', () => viewers.delete(res));
  });
  const timer = setInterval(() => {
    for (const res of viewers) {
      res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${current.length}\r\n\r\n`);
      res.write(current);
      res.write('\r\n');
    }
  }, 1000 / fps);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/video.mjpg`,
    show(scene) {
      const next = scenes[scene];
      if (!next) throw new Error(`no scene ${scene}`);
      current = next;
    },
    close: async () => {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
