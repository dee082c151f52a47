// Mails and hits for the contract suite, built directly (no parsing): the suite is about the store, not the reader.
import { sortableId } from '../../../src-main/ids.js';
import type {
  NewMessage,
  NewTrackingEvent,
  QueuedWrite,
  SharedCommit,
} from '../../../src-main/store/contract.js';

/** A mail as ingest hands it to `write`; `raw` is a real RFC 5322 text so that engines that read it again can. */
export function newMail(n: number, fields: Partial<NewMessage> = {}): NewMessage {
  const subject = fields.subject ?? `contract mail ${n}`;
  const raw = Buffer.from(
    `From: Sender ${n} <sender${n}@acme.test>\r\nTo: user${n}@example.org\r\nSubject: ${subject}\r\n` +
      `Message-ID: <contract-${n}@acme.test>\r\n\r\nbody of mail ${n}\r\n`,
  );
  return {
    id: sortableId(),
    createdMs: Date.now(),
    messageId: `contract-${n}@acme.test`,
    subject,
    from: { Name: `Sender ${n}`, Address: `sender${n}@acme.test` },
    to: [{ Name: '', Address: `user${n}@example.org` }],
    cc: [],
    bcc: [],
    replyTo: [],
    returnPath: `sender${n}@acme.test`,
    dateMs: Date.now(),
    searchText: `body of mail ${n}`,
    snippet: `body of mail ${n}`,
    parts: [],
    warnings: [],
    tags: [],
    username: '',
    envelopeFrom: `sender${n}@acme.test`,
    envelopeTo: [`user${n}@example.org`],
    remoteIp: '127.0.0.1',
    manifest: null,
    raw,
    tracked: null,
    ...fields,
  };
}

/** A recipient's open of a mail, as the tracking server records it. */
export function openOf(messageId: string, n = 0): NewTrackingEvent {
  return {
    kind: 'open',
    url: '',
    metadata: {},
    remote_ip: `192.0.2.${(n % 250) + 1}`,
    ua: 'Mozilla/5.0 (contract)',
    ts: BigInt(Date.now()) * 1_000_000n + BigInt(n),
    token_id: `token-${messageId}`,
    message_id: messageId,
    classification: 'human',
    method: 'GET',
    source: 'recipient',
    client: `client-${n}`,
  };
}

/** Writes rows in the shared commit, as every writer does; resolves once they are durable. */
export function inSharedCommit<T>(commits: SharedCommit, write: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    let out: T;
    const queued: QueuedWrite = {
      write: () => {
        out = write();
      },
      done: (err) => (err ? reject(err) : resolve(out)),
    };
    commits.enqueue(queued);
  });
}
