import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClientOptions, clientIdFor } from '../../../agent/src/publish/client-options.ts';
import { mqttConfigSchema } from '../../../agent/src/publish/config.ts';

const will = { topic: 'jifang/v1/s/status', payload: Buffer.from('{"online":false}'), properties: { contentType: 'application/json' } };
const cfg = (over: Record<string, unknown>) => mqttConfigSchema.parse({ url: 'mqtts://broker:8883', ...over });

describe('MQTT client options', () => {
  it('use a stable per-box client id, a persistent session and the status as retained Last Will', () => {
    const c = cfg({});
    const id = clientIdFor(c, 'site-a', 'box-1');
    expect(id).toBe('jifang-site-a-box-1');
    expect(clientIdFor(cfg({ clientId: 'custom' }), 'site-a', 'box-1')).toBe('custom');
    const o = buildClientOptions(c, id, will);
    expect(o).toMatchObject({
      clientId: id,
      clean: false,
      protocolVersion: 5,
      keepalive: 30,
      properties: { sessionExpiryInterval: 604800 },
    });
    expect(o.will).toMatchObject({ topic: will.topic, qos: 1, retain: true });
  });

  it('read the password and the TLS files named in the config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifang-opts-'));
    for (const f of ['ca.crt', 'box.crt', 'box.key', 'pw']) writeFileSync(join(dir, f), f === 'pw' ? 's3cret\n' : `PEM ${f}`);
    const o = buildClientOptions(
      cfg({
        username: 'site-a',
        password: { file: join(dir, 'pw') },
        tls: { ca: join(dir, 'ca.crt'), cert: join(dir, 'box.crt'), key: join(dir, 'box.key') },
      }),
      'id',
      will,
    );
    expect(o).toMatchObject({ username: 'site-a', password: 's3cret', rejectUnauthorized: true });
    expect(String(o.ca)).toBe('PEM ca.crt');
    expect(String(o.key)).toBe('PEM box.key');
  });

  it('name the config field of a TLS file that cannot be read', () => {
    expect(() => buildClientOptions(cfg({ tls: { ca: '/nonexistent/ca.crt' } }), 'id', will)).toThrow(
      /mqtt\.tls\.ca: cannot read \/nonexistent\/ca\.crt \(ENOENT\)/,
    );
  });

  it('refuse TLS settings on an unencrypted URL instead of silently sending in clear', () => {
    expect(() => buildClientOptions(cfg({ url: 'mqtt://broker:1883', tls: {} }), 'id', will)).toThrow(/not encrypted: expected mqtts:\/\//);
  });

  it('refuse a client certificate without its key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifang-opts-'));
    writeFileSync(join(dir, 'box.crt'), 'PEM');
    expect(() => buildClientOptions(cfg({ tls: { cert: join(dir, 'box.crt') } }), 'id', will)).toThrow(/needs both cert and key/);
  });
});
