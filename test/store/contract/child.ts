// A second process on a store, for the contract tests that need one: `write` stores mails and prints each id once
// its write has resolved (the parent kills it with SIGKILL mid-way); `claim-relay` and `claim-webhooks` drain an
// outbox beside another process doing the same, printing what each claim returned.
import { engineNamed } from './engines.js';
import { newMail } from './mails.js';

const [mode, engineName, where] = process.argv.slice(2) as [string, string, string];
const store = engineNamed(engineName).open(where);
const print = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

if (mode === 'write') {
  // Several writes at once, as several SMTP connections make them, without end: the parent kills this process.
  const CONCURRENT = 8;
  let n = 0;
  const writer = async () => {
    for (;;) {
      const mail = newMail(n++);
      await store.messages.write(mail);
      print(mail.id);
    }
  };
  print('ready');
  for (let i = 0; i < CONCURRENT; i++) void writer();
} else if (mode === 'claim-relay' || mode === 'claim-webhooks') {
  let idle = 0;
  // Until the outbox has had nothing due for a while (the other process may still be finishing its claims).
  while (idle < 20) {
    const now = Date.now();
    const limit = 1 + Math.floor(Math.random() * 4);
    const ids =
      mode === 'claim-relay'
        ? (await store.relayOutbox.claimDue(now, limit)).map((row) => row.id)
        : (await store.webhookDeliveries.claimDue(now, 60_000, limit)).map((row) => row.id);
    if (!ids.length) {
      idle++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    idle = 0;
    print(ids);
    for (const id of ids) {
      if (mode === 'claim-relay') {
        const attempt = { ok: true, reply: '250 ok' };
        await store.relayOutbox.finishAll([{ id, atMs: now, attempt, status: 'sent', next: null }], now);
      } else {
        await store.webhookDeliveries.finish(
          id,
          { at: new Date(now).toISOString(), status: 200, error: '' },
          'delivered',
          null,
        );
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await store.close();
} else {
  throw new Error(`unknown mode ${mode}`);
}
