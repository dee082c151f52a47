import { TextDecoder } from 'node:util';
import type { TrackingManifest } from '../../model/tracking.js';
import type { Clock } from '../../logger.js';
import type { TokenCodec } from '../token.js';
import { trackingUrl } from '../urls.js';
import { rewriteHtml } from './html.js';
import { MimeError, headerValue, leafParts, type LeafPart, type MimeTree } from '../../mime/mime.js';
import { rewriteText } from './text.js';
import { applyEdits, type Edit } from '../../mime/patch.js';
import { changedLines, decodedBody, encodeBody, reencodeChangedLines, shapeOf } from '../../mime/transfer.js';

export interface InjectContext {
  /** Our stored id of the mail; goes into every token's metadata. */
  messageId: string;
  /** Envelope sender and recipients, for the config rules. */
  sender: string;
  recipients: string[];
  subject: string;
  /** The mail's inbox turns tracking on or off (its Tracking setting) over `--no-track`; undefined: the flag's. */
  enabled?: boolean;
}

/** A config rule: a mail matching every regex given in a rule is not tracked. */
export interface TrackingRule {
  sender?: RegExp;
  recipient?: RegExp;
  subject?: RegExp;
}

export interface TrackingInjectorOptions {
  codec: TokenCodec;
  /** Public base of tracking links, e.g. `http://127.0.0.1:8026`; read per mail because it is known only after listen. */
  trackingBase: () => string;
  /** `--track-text`: also rewrite links in text/plain parts. */
  trackText: boolean;
  /** false with `--no-track`. */
  enabled: boolean;
  rules: TrackingRule[];
  clock: Clock;
}

export interface InjectResult {
  /** The tracked mail; the very input buffer when nothing was injected. */
  raw: Buffer;
  /** What turns the mail as received into `raw` (see patch.ts); none when nothing was injected. */
  readonly edits: readonly Edit[];
  manifest: TrackingManifest;
  /**
   * The tracked HTML of the first HTML part, decoded; '' when there is none or tracking is off. Decoded when first
   * read: ingest stores the tracked mail, not this.
   */
  readonly trackedHtml: string;
}

/** Why a mail is untracked when its inbox's settings turn tracking off. */
export const INBOX_OFF = "tracking is turned off in this inbox's settings";

/** The per-mail opt-out header and the values that turn tracking off. */
export const OPT_OUT_HEADER = 'x-mailbeacon-track';
const OFF_VALUES = new Set(['off', 'no', 'false', '0']);
const OPT_OUT_LINE = /^x-mailbeacon-track[ \t]*:/i;

/**
 * Charsets in which `<`, `"` and the other bytes HTML syntax is made of may stand for something else; such parts
 * are left as they are rather than risk corrupting them.
 */
const ASCII_INCOMPATIBLE = /^(utf-?16|utf-?32|ucs-?2|ucs-?4|utf-?7|unicode|iso-2022|hz-gb|csiso2022)/i;

/**
 * Injects tracking into a raw mail (docs/TRACKING.md, "What injection changes") by replacing only the bodies of its text/html parts (and, with
 * --track-text, text/plain parts) and appending List-Unsubscribe headers; every other byte is copied. It never
 * throws: a mail it cannot follow is stored untracked, with the reason in the manifest.
 */
export class TrackingInjector {
  constructor(private readonly options: TrackingInjectorOptions) {}

  async inject(raw: Buffer, ctx: InjectContext): Promise<InjectResult> {
    return this.injectSync(raw, ctx);
  }

  /**
   * The same work without a promise, for callers already inside a synchronous batch; `tree` is the mail's
   * `leafParts` when the caller has split it already.
   */
  injectSync(raw: Buffer, ctx: InjectContext, tree?: MimeTree): InjectResult {
    try {
      return this.run(raw, ctx, tree);
    } catch (err) {
      const why = err instanceof MimeError ? err.message : `unexpected structure (${(err as Error).message})`;
      return untracked(raw, `the mail could not be read for tracking: ${why}`);
    }
  }

  private run(raw: Buffer, ctx: InjectContext, tree: MimeTree | undefined): InjectResult {
    if (ctx.enabled === false) return untracked(raw, INBOX_OFF);
    if (!(ctx.enabled ?? this.options.enabled)) return untracked(raw, 'tracking is turned off (--no-track)');
    const { top, leaves } = tree ?? leafParts(raw);
    const optOut = headerValue(top, OPT_OUT_HEADER);
    if (optOut !== undefined && OFF_VALUES.has(optOut.trim().toLowerCase())) {
      return untracked(raw, 'the mail has X-Mailbeacon-Track: off');
    }
    const rule = this.options.rules.findIndex((r) => ruleMatches(r, ctx));
    if (rule >= 0) return untracked(raw, `tracking rule ${rule + 1} matches this mail`);

    const { codec } = this.options;
    const base = this.options.trackingBase().replace(/\/+$/, '');
    const recipient = ctx.recipients[0] ?? '';
    const metadata = { message_id: ctx.messageId, recipient };
    const unsub = codec.mint({ kind: 'unsub', metadata });
    const unsubscribeUrl = trackingUrl(base, 'unsub', unsub.token);
    let linkCount = 0;
    const mintClick = (url: string) => {
      const index = ++linkCount;
      const { token, payload } = codec.mint({
        kind: 'click',
        url,
        metadata: { message_id: metadata.message_id, recipient: metadata.recipient, link: String(index) },
      });
      return { index, url: trackingUrl(base, 'click', token), tokenId: payload.id };
    };

    const manifest: TrackingManifest = {
      enabled: true,
      disabledReason: '',
      pixel: null,
      links: [],
      skipped: [],
      unsubscribe: {
        tokenId: unsub.payload.id,
        url: unsubscribeUrl,
        headersAdded: false,
        placeholdersFilled: 0,
        existingHeader: '',
      },
    };
    const edits: Edit[] = [];
    // The first HTML part as tracked, decoded only when asked for. (Not through a closure made in the loop below:
    // with one, each mail's garbage survived into the old generation and injecting took half as long again.)
    let firstHtml: { latin1: string; decoder: TextDecoder } | null = null;

    for (const leaf of leaves) {
      const isHtml = leaf.contentType.type === 'text/html';
      const isText = leaf.contentType.type === 'text/plain';
      if (
        !leaf.hasBody ||
        leaf.disposition === 'attachment' ||
        !(isHtml || (isText && this.options.trackText))
      ) {
        continue;
      }
      const charset = (leaf.contentType.params.charset ?? 'us-ascii').trim();
      if (ASCII_INCOMPATIBLE.test(charset)) {
        manifest.skipped.push({
          offset: 0,
          line: 0,
          url: '',
          reason: `part left as it is: charset ${charset}`,
          partId: leaf.partId,
        });
        continue;
      }
      const body = raw.subarray(leaf.bodyStart, leaf.bodyEnd);
      const decoder = textDecoder(charset);
      const decodeText = (latin1: string) =>
        isPlainAscii(latin1) ? latin1 : decoder.decode(Buffer.from(latin1, 'latin1'));
      const source = decodedBody(raw, leaf).toString('latin1');
      let output: string;
      if (isHtml) {
        const givePixel = manifest.pixel === null;
        const pixelToken = givePixel ? codec.mint({ kind: 'open', metadata }) : null;
        const pixel = pixelToken
          ? { url: trackingUrl(base, 'open', pixelToken.token), tokenId: pixelToken.payload.id }
          : null;
        const result = rewriteHtml(source, {
          partId: leaf.partId,
          trackingBase: base,
          decodeText,
          mintClick,
          pixel,
          unsubscribeUrl,
        });
        output = result.html;
        manifest.links.push(...result.links);
        manifest.skipped.push(...result.skipped);
        manifest.unsubscribe.placeholdersFilled += result.placeholdersFilled;
        if (pixel && result.pixel)
          manifest.pixel = { tokenId: pixel.tokenId, url: pixel.url, ...result.pixel, partId: leaf.partId };
        if (givePixel) firstHtml = { latin1: output, decoder };
      } else {
        const result = rewriteText(
          source,
          { partId: leaf.partId, trackingBase: base, decodeText, mintClick, unsubscribeUrl },
          true,
        );
        output = result.text;
        manifest.links.push(...result.links);
        manifest.skipped.push(...result.skipped);
        manifest.unsubscribe.placeholdersFilled += result.placeholdersFilled;
      }
      if (output === source) continue;
      for (const edit of reencode(leaf, body, source, output)) {
        edits.push({ start: leaf.bodyStart + edit.start, end: leaf.bodyStart + edit.end, bytes: edit.bytes });
      }
    }

    const existing = headerValue(top, 'list-unsubscribe');
    let headerBytes: Buffer | null = null;
    if (existing !== undefined) {
      manifest.unsubscribe.existingHeader = existing;
    } else if (top.end < raw.length || raw[raw.length - 1] === 0x0a) {
      // (a mail that is one unterminated header line has nowhere to put a new line)
      manifest.unsubscribe.headersAdded = true;
      headerBytes = Buffer.from(
        `List-Unsubscribe: <${unsubscribeUrl}>${top.eol}List-Unsubscribe-Post: List-Unsubscribe=One-Click${top.eol}`,
        'latin1',
      );
    }

    manifest.links.sort((a, b) => a.index - b.index);
    // The new header lines go in before the parts' edits, which all lie after the header block.
    if (headerBytes) edits.unshift({ start: top.end, end: top.end, bytes: headerBytes });
    return new Injected(applyEdits(raw, edits), edits, manifest, firstHtml);
  }
}

/**
 * The mail without its `X-Mailbeacon-Track` header (folded lines included), for forwarding to a real upstream: the
 * header is an instruction to this sandbox, not to anyone else. The same buffer comes back when it has none.
 */
export function withoutOptOutHeader(raw: Buffer): Buffer {
  const { top } = leafParts(raw);
  if (headerValue(top, OPT_OUT_HEADER) === undefined) return raw;
  const keep: Buffer[] = [];
  let pos = 0;
  let dropping = false;
  while (pos < top.end) {
    const nl = raw.indexOf(0x0a, pos);
    const next = nl < 0 || nl >= top.end ? top.end : nl + 1;
    const first = raw[pos];
    const continuation = first === 0x20 || first === 0x09;
    if (!continuation) dropping = OPT_OUT_LINE.test(raw.toString('latin1', pos, Math.min(next, pos + 40)));
    if (!dropping) keep.push(raw.subarray(pos, next));
    pos = next;
  }
  keep.push(raw.subarray(top.end));
  return Buffer.concat(keep);
}

/** The manifest of a mail that carries no tracking, and why. */
export function untrackedManifest(reason: string): TrackingManifest {
  return {
    enabled: false,
    disabledReason: reason,
    pixel: null,
    links: [],
    skipped: [],
    unsubscribe: { tokenId: '', url: '', headersAdded: false, placeholdersFilled: 0, existingHeader: '' },
  };
}

class Injected implements InjectResult {
  constructor(
    readonly raw: Buffer,
    readonly edits: readonly Edit[],
    readonly manifest: TrackingManifest,
    private readonly firstHtml: { latin1: string; decoder: TextDecoder } | null,
  ) {}

  get trackedHtml(): string {
    if (!this.firstHtml) return '';
    const { latin1, decoder } = this.firstHtml;
    // Line breaks as mailparser gives the original HTML, so the two can be compared line by line.
    return decoder.decode(Buffer.from(latin1, 'latin1')).replace(/\r\n?/g, '\n');
  }
}

function untracked(raw: Buffer, reason: string): InjectResult {
  return {
    raw,
    edits: [],
    manifest: untrackedManifest(reason),
    trackedHtml: '',
  };
}

function ruleMatches(rule: TrackingRule, ctx: InjectContext): boolean {
  if (!rule.sender && !rule.recipient && !rule.subject) return false;
  if (rule.sender && !rule.sender.test(ctx.sender)) return false;
  if (rule.recipient && !ctx.recipients.some((r) => rule.recipient!.test(r))) return false;
  if (rule.subject && !rule.subject.test(ctx.subject)) return false;
  return true;
}

const decoders = new Map<string, TextDecoder>();

/** A decoder for the part's charset; an unknown label falls back to UTF-8 (only URLs and the preview use it). */
function textDecoder(charset: string): TextDecoder {
  const label = charset.toLowerCase();
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label === 'us-ascii' ? 'utf-8' : label);
    } catch {
      decoder = new TextDecoder('utf-8');
    }
    decoders.set(label, decoder);
  }
  return decoder;
}

function isPlainAscii(text: string): boolean {
  return !/[\u0080-\uffff]/.test(text);
}

/** The edits (offsets into the part's body) that encode the part's new content as the part was encoded. */
function reencode(leaf: LeafPart, originalBody: Buffer, source: string, output: string): Edit[] {
  const shape = shapeOf(originalBody, leaf.encoding, leaf.eol);
  if (shape.encoding === 'quoted-printable') {
    const lines = reencodeChangedLines(originalBody, source, output, shape.eol);
    if (lines) return lines;
  } else if (shape.encoding !== 'base64') {
    const lines = changedLines(source, output);
    if (lines) return lines;
  }
  return [{ start: 0, end: originalBody.length, bytes: encodeBody(Buffer.from(output, 'latin1'), shape) }];
}
