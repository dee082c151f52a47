import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsMaterial {
  key: string;
  cert: string;
}

const KEY_FILE = 'smtp-tls.key';
const CERT_FILE = 'smtp-tls.crt';
/** Ten years: a local sandbox's certificate should not expire under a developer's feet. */
const VALIDITY_DAYS = 3650;

/**
 * The STARTTLS certificate: the user's own files when given, otherwise a self-signed one generated into the data
 * dir on first start and reused after (never the sample key that ships inside smtp-server).
 */
export async function loadSmtpTls(options: {
  dataDir: string;
  certFile?: string;
  keyFile?: string;
}): Promise<TlsMaterial> {
  const { dataDir, certFile, keyFile } = options;
  if (certFile || keyFile) {
    if (!certFile || !keyFile)
      throw new Error('[smtp] --smtp-tls-cert and --smtp-tls-key must be given together');
    try {
      return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    } catch (err) {
      throw new Error(`[smtp] cannot read the TLS certificate or key: ${(err as Error).message}`);
    }
  }
  const persist = dataDir !== ':memory:';
  const keyPath = join(dataDir, KEY_FILE);
  const certPath = join(dataDir, CERT_FILE);
  if (persist && existsSync(keyPath) && existsSync(certPath)) {
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  }
  // Loaded only when a certificate must be made: the library and its X.509 stack cost ~10 MB of memory.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + VALIDITY_DAYS * 86_400_000),
  });
  const material = { key: pems.private, cert: pems.cert };
  if (persist) {
    writeFileSync(keyPath, material.key, { mode: 0o600 });
    writeFileSync(certPath, material.cert);
  }
  return material;
}
