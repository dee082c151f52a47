import { setFlagsFromString } from 'node:v8';
import { ConfigError, loadSettings, parseServeFlags } from '../config/load.js';
import { SERVE_FLAGS, envName, type FlagSpec } from '../config/flags.js';
import { Sandbox } from '../sandbox.js';
import { createLogger } from '../logger.js';

/** `--help`'s headings, in the order shown: what a first run needs comes first, tuning last. */
const GROUP_TITLES: Record<FlagSpec['group'], string> = {
  smtp: 'SMTP',
  ui: 'UI and API',
  tracking: 'Tracking',
  relay: 'Relay to a real SMTP server',
  webhooks: 'Webhooks',
  checks: 'Checks',
  pop3: 'POP3 (read caught mail in a mail client)',
  storage: 'Storage',
  hub: 'Live updates (Mercure hub)',
  output: 'Output',
  tuning: 'Advanced tuning',
};

const NAME_WIDTH = 30;

/** Wraps a flag's help to the terminal (100 columns when not one), indented under its description column. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

export function serveHelp(columns = process.stdout.columns || 100): string {
  const lines = [
    'Usage: mailbeacon serve [flags]',
    '',
    'Catches every mail sent to the SMTP listener, tracks opens, clicks and unsubscribes, and serves the UI.',
    'Every flag can also be set with an MB_* environment variable (--smtp-auth → MB_SMTP_AUTH) or in',
    'mailbeacon.json in the data directory (camelCase keys: {"smtpAuth": "user:pass"}); flags win.',
  ];
  const helpWidth = Math.max(40, Math.min(columns, 120) - NAME_WIDTH - 4);
  for (const group of Object.keys(GROUP_TITLES) as FlagSpec['group'][]) {
    const flags = SERVE_FLAGS.filter((flag) => flag.group === group);
    if (!flags.length) continue;
    lines.push('', `${GROUP_TITLES[group]}:`);
    for (const f of flags) {
      const name = `--${f.name}${f.arg ? ` ${f.arg}` : ''}${f.multiple ? ' …' : ''}`;
      const [first, ...rest] = wrap(f.help, helpWidth);
      // A name longer than its column gets a line of its own.
      if (name.length > NAME_WIDTH) lines.push(`  ${name}`, `  ${''.padEnd(NAME_WIDTH)}  ${first}`);
      else lines.push(`  ${name.padEnd(NAME_WIDTH)}  ${first}`);
      for (const more of rest) lines.push(`  ${''.padEnd(NAME_WIDTH)}  ${more}`);
    }
  }
  lines.push(
    '',
    `Example: mailbeacon serve --smtp 127.0.0.1:0 --http 127.0.0.1:0 --tracking 127.0.0.1:0 --data-dir :memory: --json`,
  );
  lines.push(`Environment example: ${envName('max-messages')}=500 mailbeacon serve`);
  return lines.join('\n');
}

/** `mailbeacon serve`: runs the sandbox until SIGINT/SIGTERM. Resolves with the process exit code. */
export async function serve(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${serveHelp()}\n`);
    return 0;
  }
  // A sandbox runs beside the developer's own work for hours: trade some speed for memory. V8 then collects garbage
  // sooner instead of growing the heap, without a heap limit that a 50 MB mail could hit; no other flag that can be
  // set at run time kept memory as low for less (docs/SMTP-BENCH.md).
  setFlagsFromString('--optimize-for-size');
  let sandbox: Sandbox;
  try {
    const settings = loadSettings(parseServeFlags(argv));
    sandbox = new Sandbox(settings, { logger: createLogger(settings.quiet ? 'warn' : 'info') });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nRun \`mailbeacon serve --help\` for every flag.\n`);
      return 2;
    }
    throw err;
  }

  const { settings, logger } = sandbox;
  // Signal handlers go in before anything listens: a SIGTERM that lands right after the addresses are printed
  // (or during start) still stops cleanly instead of killing the process with Node's default handler.
  let signalled: string | undefined;
  let onSignal: (signal: string) => void = (signal) => (signalled = signal);
  const handler = (signal: NodeJS.Signals) => onSignal(signal);
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);

  // Should a start or stop ever wait on something that keeps nothing alive, Node would exit quietly with 0; a
  // failure must never look like success to a script.
  const unfinished = () => {
    process.stderr.write('[cli] the sandbox ended before it finished starting or stopping\n');
    process.exitCode = 1;
  };
  process.once('beforeExit', unfinished);

  try {
    const addresses = await sandbox.start();
    if (settings.json) {
      process.stdout.write(
        `${JSON.stringify({ smtp: addresses.smtp, http: addresses.http, tracking: addresses.tracking, trackingUrl: addresses.trackingUrl, dataDir: settings.dataDir, ...(addresses.pop3 && { pop3: addresses.pop3 }) })}\n`,
      );
    }
    logger.info(`SMTP      ${addresses.smtp}`);
    logger.info(`UI + API  ${addresses.http}`);
    logger.info(`Tracking  ${addresses.tracking} (links use ${addresses.trackingUrl})`);
    if (addresses.pop3) logger.info(`POP3      ${addresses.pop3}`);
    logger.info(`Data      ${settings.dataDir}`);
  } catch (err) {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('beforeExit', unfinished);
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }

  return new Promise<number>((resolve) => {
    onSignal = (signal) => {
      onSignal = () => {};
      logger.info(`${signal}: stopping (mails being received are stored first)`);
      sandbox.stop().then(
        () => {
          process.off('beforeExit', unfinished);
          resolve(0);
        },
        (err: Error) => {
          process.off('beforeExit', unfinished);
          process.stderr.write(`${err.message}\n`);
          resolve(1);
        },
      );
    };
    if (signalled) onSignal(signalled);
  });
}
