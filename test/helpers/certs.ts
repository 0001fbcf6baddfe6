import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/**
 * A throw-away PKI made with the real `openssl`: a CA, a server certificate for 127.0.0.1/localhost and a
 * client certificate whose CN is `clientName`. EC P-256 keys: quick to generate on a small machine.
 */
export function makeTestCerts(dir: string, clientName = 'jifang-test-box'): TestCerts {
  mkdirSync(dir, { recursive: true });
  const p = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  ssl('req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=jifang test CA');
  const issue = (name: string, cn: string, ext: string) => {
    writeFileSync(p(`${name}.ext`), ext);
    ssl('req', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-out',
      p(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      p(`${name}.ext`),
    );
  };
  issue('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue('client', clientName, 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
  };
}

/** Another client certificate from the same CA, with CN `cn` (files `{cn}.crt` and `{cn}.key`). */
export function issueClientCert(certs: TestCerts, cn: string): { cert: string; key: string } {
  const p = (name: string) => join(certs.dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: certs.dir, stdio: 'pipe' });
  writeFileSync(p(`${cn}.ext`), 'extendedKeyUsage=clientAuth\n');
  ssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    p(`${cn}.key`),
    '-out',
    p(`${cn}.csr`),
    '-subj',
    `/CN=${cn}`,
  );
  ssl(
    'x509',
    '-req',
    '-in',
    p(`${cn}.csr`),
    '-CA',
    certs.ca,
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p(`${cn}.crt`),
    '-days',
    '2',
    '-extfile',
    p(`${cn}.ext`),
  );
  return { cert: p(`${cn}.crt`), key: p(`${cn}.key`) };
}
