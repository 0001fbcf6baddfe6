import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  /** e.g. http://127.0.0.1:9464: the bound port, useful with port 0; IPv6 hosts in brackets. */
  url: string;
  /** Stops accepting and drops kept-alive connections, so a stop never waits on an idle browser. */
  close(): Promise<void>;
}

/** Binds an HTTP(S) server; a refused bind rejects naming what was to be served, the address and the reason. */
export async function listen(
  server: Server,
  host: string,
  port: number,
  what: string,
  scheme: 'http' | 'https' = 'http',
): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`cannot serve ${what} on ${host}:${port}: ${err.code ?? err.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${scheme}://${shownHost}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
