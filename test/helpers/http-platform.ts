import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST a platform received from a forwarder. */
export interface Received {
  path: string;
  body: Record<string, unknown>;
  auth: string | undefined;
  key: string | undefined;
}

/** A city platform a forwarder posts to: a real local HTTP server that keeps what it gets and answers `answer`. */
export async function startPlatform(
  answer = '{"errcode":0,"errmsg":"ok"}',
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        body: JSON.parse(body) as Record<string, unknown>,
        auth: req.headers.authorization,
        key: req.headers['idempotency-key'] as string | undefined,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}
