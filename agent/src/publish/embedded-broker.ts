import { Aedes } from 'aedes';
import { createServer, type AddressInfo } from 'node:net';
import type { Logger } from '../core/log.ts';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * An in-process MQTT broker (aedes, MQTT 3.1.1 only) on 127.0.0.1, for the demo and single-box use when
 * `mqtt.url` is absent. It listens on loopback only: nothing on the box becomes reachable from outside.
 * Port 0 lets the OS choose.
 */
export async function startEmbeddedBroker(port: number, log: Logger): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  aedes.on('clientError', (client, err) => log.debug({ client: client.id, err: err.message }, 'embedded broker client error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      aedes.close();
      reject(new Error(`embedded MQTT broker cannot listen on 127.0.0.1:${port} (${err.code ?? err.message}): set mqtt.embeddedPort to a free port or mqtt.url to an external broker`));
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const url = `mqtt://127.0.0.1:${actual}`;
  log.info({ url }, 'embedded MQTT broker listening');
  return {
    url,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        // aedes.close() ends every client connection; server.close() waits for them, so close the broker first.
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}
