import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** Where the certificate is, for clients told to trust it (none for a throw-away `:memory:` run). */
  certFile?: string;
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
    let material: TlsMaterial;
    try {
      material = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    } catch (err) {
      throw new Error(`[smtp] cannot read the TLS certificate or key: ${(err as Error).message}`);
    }
    usable(material, `--smtp-tls-key ${keyFile} and --smtp-tls-cert ${certFile}`, 'fix them');
    return { ...material, certFile };
  }
  const persist = dataDir !== ':memory:';
  const keyPath = join(dataDir, KEY_FILE);
  const certPath = join(dataDir, CERT_FILE);
  if (persist && existsSync(keyPath) && existsSync(certPath)) {
    const material = { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
    usable(material, `${keyPath} and ${certPath}`, 'delete both to generate a new self-signed pair');
    return { ...material, certFile: certPath };
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
    writeFileSync(certPath, material.cert, { mode: 0o600 });
    return { ...material, certFile: certPath };
  }
  return material;
}

/**
 * The key and certificate as TLS will load them at the first STARTTLS: a damaged or mismatched pair is reported at
 * start, naming the files, instead of failing every STARTTLS later.
 */
function usable(material: TlsMaterial, files: string, remedy: string): void {
  try {
    createSecureContext({ key: material.key, cert: material.cert });
  } catch (err) {
    throw new Error(
      `[smtp] the TLS key and certificate ${files} cannot be used (${(err as Error).message}); ${remedy}`,
    );
  }
}
