import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';

const SAMPLE_HTML = `<!doctype html>
<html><body style="font-family: sans-serif">
  <h1>Welcome to Acme</h1>
  <p>Hi Ann, thanks for signing up. <a href="https://example.com/start">Get started</a>.</p>
  <p>Read <a href="https://example.com/docs">the docs</a> or <a href="mailto:help@example.com">write to us</a>.</p>
  <p style="color:#888">Don't want these mails? <a href="{{unsubscribe_url}}">Unsubscribe</a>.</p>
</body></html>`;

/** `mailbeacon send`: one sample mail with links, so a new user sees tracking at work. */
export async function sendSample(argv: string[]): Promise<number> {
  let values: { smtp?: string; to?: string; http?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        smtp: { type: 'string' },
        to: { type: 'string' },
        http: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(
      'Usage: mailbeacon send [--smtp ADDR:PORT (default 127.0.0.1:1025)] [--to ADDRESS]\n' +
        '                       [--http URL (the UI, to say where to look; default $MB_HTTP or http://127.0.0.1:8025)]\n',
    );
    return 0;
  }
  const [host, port] = (values.smtp ?? process.env.MB_SMTP ?? '127.0.0.1:1025').split(/:(?=\d+$)/);
  const transport = nodemailer.createTransport({ host, port: Number(port), secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({
      from: 'Acme <hello@acme.test>',
      to: values.to ?? 'Ann Example <ann@example.org>',
      subject: 'Welcome to Acme',
      text: 'Hi Ann, thanks for signing up. Get started: https://example.com/start',
      html: SAMPLE_HTML,
    });
    process.stdout.write(`${info.response}\n`);
    // The 250 names the stored mail: point at it in the UI (a hash route, so any static server serves it).
    const id = /queued as (\S+)/.exec(info.response)?.[1];
    let ui = values.http ?? process.env.MB_HTTP ?? 'http://127.0.0.1:8025';
    if (!/^https?:\/\//i.test(ui)) ui = `http://${ui}`;
    try {
      const where = new URL(id ? `/#/message/${encodeURIComponent(id)}` : '/', ui).href;
      process.stdout.write(
        `Open it: ${where}\nThen open its Preview (your own reading: listed, never counted), or use Simulate to ` +
          `play a recipient (counted, labelled "simulated").\n`,
      );
    } catch {
      process.stderr.write(`--http: "${ui}" is not a URL\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`could not send to ${host}:${port}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    transport.close();
  }
}
