import type { Address } from '../model/message.js';
import type { TrackingManifest } from '../model/tracking.js';
import type { TrackingInjector } from '../tracking/inject/injector.js';
import { leafParts, type MimeTree } from '../mime/mime.js';
import { encodePatch } from '../mime/patch.js';
import { SLICED_MAIL_BYTES } from '../store/message-rows.js';
import { parseMail, type ParsedFields } from './parse.js';

/** What is known of a mail before it is read: its bytes, our id for it and its envelope. */
export interface MailToPrepare {
  raw: Buffer;
  id: string;
  envelopeFrom: string;
  envelopeTo: string[];
  /** Its inbox's Tracking setting when its inbox is known before it is read; undefined: `--no-track` decides. */
  track?: boolean;
}

/** A mail read and tracked, ready to be stored. */
export interface PreparedMail {
  fields: ParsedFields;
  /** The tracked mail; null when nothing was injected (the raw mail is then the one to show and relay). */
  tracked: Buffer | null;
  /** The tracked mail as a patch of the raw one (see mime/patch.ts), when that is the smaller to store. */
  trackedPatch: Buffer | null;
  manifest: TrackingManifest | null;
  /**
   * For a mail stored in slices, the manifest as JSON bytes instead of `manifest` (null then): a link on every line
   * of a large HTML part makes a manifest of megabytes, cheaper to hand from a worker as bytes than as objects.
   */
  manifestJson?: Buffer | null;
}

/** How mails are read when prepared, the same on every thread (it reaches a worker in its worker data). */
export interface ReadingSettings {
  /** `--simple-mail-reader`: see ParseOptions. */
  simpleMailReader: boolean;
}

/**
 * Reads a mail (parse) and puts tracking into it (inject): all that happens to a mail before it is stored. A pure
 * function of the bytes and the envelope, so it runs on any thread; it never throws.
 */
export async function prepareMail(
  mail: MailToPrepare,
  injector: TrackingInjector,
  reading: ReadingSettings = { simpleMailReader: true },
): Promise<PreparedMail> {
  // Split once for both readers; a mail that cannot be split is left to each one's own way of failing.
  let tree: MimeTree | undefined;
  try {
    tree = leafParts(mail.raw);
  } catch {
    // (each reader splits it again and says why it cannot, in its own way)
  }
  const fields = withEnvelope(
    await parseMail(mail.raw, { tree, simpleMailReader: reading.simpleMailReader }),
    mail.envelopeFrom,
    mail.envelopeTo,
  );
  // A mail stored in slices keeps no decoded parts (they are read from it when asked for): no need to copy
  // megabytes of them back from a worker.
  const sliced = mail.raw.length >= SLICED_MAIL_BYTES;
  if (sliced) for (const part of fields.parts) part.content = Buffer.alloc(0);
  const result = injector.injectSync(
    mail.raw,
    {
      messageId: mail.id,
      sender: mail.envelopeFrom || fields.from?.Address || '',
      recipients: mail.envelopeTo.length ? mail.envelopeTo : fields.to.map((a) => a.Address),
      subject: fields.subject,
      enabled: mail.track,
    },
    tree,
  );
  const tracked = result.raw === mail.raw ? null : result.raw;
  const patch = tracked ? encodePatch(result.edits) : null;
  return {
    fields,
    tracked,
    // (a part encoded again as a whole, base64 say, makes a patch about as large as the mail: then the mail it is)
    trackedPatch: patch && patch.length * 2 <= tracked!.length ? patch : null,
    manifest: sliced ? null : result.manifest,
    manifestJson: sliced && result.manifest ? Buffer.from(JSON.stringify(result.manifest)) : null,
  };
}

/** An envelope address as a mail address: something@somewhere, nothing else (Mailpit skips what it cannot parse). */
const ENVELOPE_ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/**
 * The mail's fields as Mailpit reads them with its envelope: recipients given only in RCPT TO (a BCC, or a framework
 * that leaves its recipients out of the headers) are added to Bcc, and the Return-Path is the envelope sender (the
 * From address for a null sender). The stored bytes stay as received; Mailpit writes both into the mail's headers.
 */
export function withEnvelope(fields: ParsedFields, envelopeFrom: string, envelopeTo: string[]): ParsedFields {
  // Without an envelope (none is known) the mail's own Return-Path header stands.
  if (envelopeTo.length === 0 && !envelopeFrom) {
    fields.returnPath ||= fields.from?.Address ?? '';
    return fields;
  }
  fields.returnPath = envelopeFrom || (fields.from?.Address ?? '');
  const listed = new Set<string>();
  for (const a of [...fields.to, ...fields.cc, ...fields.bcc]) listed.add(a.Address.toLowerCase());
  const added: Address[] = [];
  for (const address of envelopeTo) {
    const key = address.toLowerCase();
    if (listed.has(key) || !ENVELOPE_ADDRESS.test(address)) continue;
    listed.add(key);
    added.push({ Name: '', Address: address });
  }
  if (added.length) fields.bcc = [...fields.bcc, ...added];
  return fields;
}
