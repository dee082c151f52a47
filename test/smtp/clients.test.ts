// The README's "Point your app at it" snippets, run with the real clients against the Sandbox that `serve` runs:
// each client in its default settings against the default listener (no STARTTLS), then told to trust the
// certificate against `--smtp-tls` (STARTTLS) and `--smtps` (implicit TLS). The snippets are the files in
// examples/smtp-clients/, which the README quotes verbatim; only the port numbers and the certificate's path
// (`/path/to/smtp-tls.crt`) are replaced by this run's.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesSummary } from '../../src-main/wire/types.js';
import { getJson, startSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const SNIPPETS = join(ROOT, 'examples', 'smtp-clients');
const SPRING_MAIL = join(ROOT, 'test', 'fixtures', 'smtp-clients', 'SpringMail.java');
const JAKARTA_CLASSPATH = '/usr/share/java/jakarta-mail.jar:/usr/share/java/jakarta-activation.jar';
/** Debian's php-symfony-mailer autoloader, standing in for Composer's `vendor/autoload.php`. */
const SYMFONY_AUTOLOAD = '/usr/share/php/Symfony/Component/Mailer/autoload.php';
/** A first `go run` compiles net/smtp and crypto/tls on this machine's two cores. */
const CLIENT_TIMEOUT_MS = 120_000;

const snippet = (file: string) => readFileSync(join(SNIPPETS, file), 'utf8');

/** A scratch project holding every snippet with this run's ports and certificate, and what the clients need. */
function project(ports: { smtp: number; smtps?: number }, cert?: string) {
  const { dir, remove } = tempDir('mailbeacon-clients-');
  for (const file of readdirSync(SNIPPETS)) {
    const text = snippet(file)
      .replaceAll('1025', String(ports.smtp))
      .replaceAll('1465', String(ports.smtps ?? 1465))
      .replaceAll('/path/to/smtp-tls.crt', cert ?? '/path/to/smtp-tls.crt');
    writeFileSync(join(dir, file), text);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'vendor'));
  writeFileSync(join(dir, 'vendor', 'autoload.php'), `<?php\nrequire '${SYMFONY_AUTOLOAD}';\n`);
  copyFileSync(SPRING_MAIL, join(dir, 'SpringMail.java'));
  return { dir, remove };
}

/** Go builds offline, with a build cache that the file's runs share (removed at the end). */
const goHome = tempDir('mailbeacon-go-');
afterAll(() => goHome.remove());

function env(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: dir,
    GOPATH: join(goHome.dir, 'go'),
    GOCACHE: join(goHome.dir, 'cache'),
    GOPROXY: 'off',
    GOFLAGS: '',
    GO111MODULE: 'auto',
  };
}

async function sh(dir: string, script: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: dir,
      env: env(dir),
      timeout: CLIENT_TIMEOUT_MS,
    });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${script}\n${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The subjects of the mails caught so far; swaks's default subject ("test" and the date) counts as "test". */
async function subjects(t: TestSandbox): Promise<string[]> {
  const list = await getJson<MessagesSummary>(`${t.http}/api/v1/messages?limit=100`);
  return list.messages.map((m) => (m.Subject.startsWith('test ') ? 'test' : m.Subject));
}

/** Each client as the README shows it: the command that runs its snippet and the subject its mail carries. */
const DEFAULT_CLIENTS: { client: string; command: string; subject: string }[] = [
  { client: 'nodemailer', command: 'node nodemailer.mjs', subject: 'Hello from Nodemailer' },
  { client: 'Python smtplib', command: 'python3 send_mail.py', subject: 'Hello from smtplib' },
  { client: 'Go net/smtp', command: 'go run send.go', subject: 'Hello from Go' },
  { client: 'Ruby Net::SMTP (STARTTLS auto)', command: 'ruby net_smtp.rb', subject: 'Hello from Ruby' },
  { client: 'Symfony Mailer', command: '. ./symfony.sh', subject: 'Hello from Symfony Mailer' },
  {
    client: 'Jakarta Mail as Spring Boot sets it',
    command: `java -cp ${JAKARTA_CLASSPATH} SpringMail.java application.properties 'Hello from Spring'`,
    subject: 'Hello from Spring',
  },
  { client: 'swaks', command: '. ./swaks.sh', subject: 'test' },
];

describe('every README client, in its default settings, against a default sandbox', () => {
  let t: TestSandbox;
  let scratch: ReturnType<typeof project>;
  beforeAll(async () => {
    t = await startSandbox();
    scratch = project({ smtp: t.smtpPort });
  });
  afterAll(async () => {
    await t.stop();
    scratch.remove();
  });

  for (const { client, command, subject } of DEFAULT_CLIENTS) {
    it(`delivers with ${client}`, async () => {
      const output = await sh(scratch.dir, command);
      if (client === 'swaks') expect(output).not.toMatch(/STARTTLS/);
      expect(await subjects(t)).toContain(subject);
    });
  }
});

describe('every README client, told to trust the certificate, over STARTTLS and SMTPS', () => {
  let t: TestSandbox;
  let scratch: ReturnType<typeof project>;
  let cert: string;
  beforeAll(async () => {
    t = await startSandbox({ smtpTls: true, smtpRequireTls: true, smtps: '127.0.0.1:0' });
    const smtps = (t.sandbox.addresses.smtps ?? '').split(':').pop();
    cert = join(t.dataDir, 'smtp-tls.crt');
    scratch = project({ smtp: t.smtpPort, smtps: Number(smtps) }, cert);
  });
  afterAll(async () => {
    await t.stop();
    scratch.remove();
  });

  // --smtp-require-tls answers 530 to a mail sent before STARTTLS, so a delivery here went over TLS.
  const spring = (file: string, subject: string) =>
    `rm -f mailbeacon.p12\n. ./java-truststore.sh\njava -cp ${JAKARTA_CLASSPATH} SpringMail.java ${file} '${subject}'`;
  const cases: { client: string; command: () => string; subject: string }[] = [
    {
      client: 'nodemailer (STARTTLS)',
      command: () => 'node nodemailer-starttls.mjs',
      subject: 'Hello from Nodemailer over STARTTLS',
    },
    {
      client: 'nodemailer (SMTPS)',
      command: () => 'node nodemailer-smtps.mjs',
      subject: 'Hello from Nodemailer over SMTPS',
    },
    {
      client: 'Python smtplib (STARTTLS)',
      command: () => 'python3 send_mail_starttls.py',
      subject: 'Hello from smtplib over STARTTLS',
    },
    {
      client: 'Python smtplib (SMTPS)',
      command: () => 'python3 send_mail_smtps.py',
      subject: 'Hello from smtplib over SMTPS',
    },
    { client: 'Go net/smtp (STARTTLS)', command: () => '. ./go-starttls.sh', subject: 'Hello from Go' },
    {
      client: 'Ruby Net::SMTP (STARTTLS)',
      command: () => '. ./ruby-starttls.sh',
      subject: 'Hello from Ruby',
    },
    {
      client: 'Ruby Net::SMTP (SMTPS)',
      command: () => '. ./ruby-smtps.sh',
      subject: 'Hello from Ruby over SMTPS',
    },
    {
      client: 'Symfony Mailer (STARTTLS)',
      command: () => '. ./symfony-starttls.sh',
      subject: 'Hello from Symfony Mailer',
    },
    {
      client: 'Jakarta Mail (STARTTLS)',
      command: () => spring('application-starttls.properties', 'Hello from Spring over STARTTLS'),
      subject: 'Hello from Spring over STARTTLS',
    },
    {
      client: 'Jakarta Mail (SMTPS)',
      command: () => spring('application-smtps.properties', 'Hello from Spring over SMTPS'),
      subject: 'Hello from Spring over SMTPS',
    },
    { client: 'swaks (STARTTLS)', command: () => '. ./swaks-starttls.sh', subject: 'test' },
    { client: 'swaks (SMTPS)', command: () => '. ./swaks-smtps.sh', subject: 'test' },
  ];

  for (const { client, command, subject } of cases) {
    it(`delivers with ${client}`, async () => {
      const before = (await subjects(t)).filter((s) => s === subject).length;
      await sh(scratch.dir, command());
      expect((await subjects(t)).filter((s) => s === subject).length).toBe(before + 1);
    });
  }

  it('delivers over SMTPS with Symfony Mailer', async () => {
    await sh(scratch.dir, '. ./symfony-smtps.sh');
    expect((await subjects(t)).filter((s) => s === 'Hello from Symfony Mailer')).toHaveLength(2);
  });

  it('refuses the default snippets with 530, since they never ask for TLS', async () => {
    await expect(sh(scratch.dir, 'python3 send_mail.py')).rejects.toThrow(/530/);
    await expect(sh(scratch.dir, '. ./swaks.sh')).rejects.toThrow(/530/);
  });
});

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const LANGUAGES: Record<string, string> = {
    mjs: 'js',
    py: 'python',
    go: 'go',
    rb: 'ruby',
    php: 'php',
    sh: 'sh',
    properties: 'properties',
  };

  it('quotes every client snippet verbatim', () => {
    for (const file of readdirSync(SNIPPETS)) {
      const language = LANGUAGES[file.split('.').pop()!];
      expect(language, file).toBeDefined();
      expect(readme, file).toContain(`\`\`\`${language}\n${snippet(file)}\`\`\`\n`);
    }
  });
});
