// A tracked mail as the edits that turn the mail as received into it: a few header lines, and the lines of its
// parts where links, the pixel or placeholders changed. The store keeps these instead of a second copy of the mail.

/** Bytes `start…end` of the mail as received, replaced by `bytes` (an insertion when start === end). */
export interface Edit {
  start: number;
  end: number;
  bytes: Buffer;
}

/** The mail with the edits applied; they are in order and do not overlap. */
export function applyEdits(raw: Buffer, edits: readonly Edit[]): Buffer {
  if (edits.length === 0) return raw;
  const chunks: Buffer[] = [];
  let pos = 0;
  for (const edit of edits) {
    if (edit.start < pos || edit.end < edit.start || edit.end > raw.length) {
      throw new Error(`[store] a tracked mail's edit at ${edit.start}…${edit.end} does not fit its mail`);
    }
    if (edit.start > pos) chunks.push(raw.subarray(pos, edit.start));
    if (edit.bytes.length > 0) chunks.push(edit.bytes);
    pos = edit.end;
  }
  if (pos < raw.length) chunks.push(raw.subarray(pos));
  return Buffer.concat(chunks);
}

/** Each edit is its start, its end and its length (three 32-bit unsigned integers, little-endian), then its bytes. */
const EDIT_HEAD = 12;

/** The edits as one buffer, for the store. */
export function encodePatch(edits: readonly Edit[]): Buffer {
  let size = 0;
  for (const edit of edits) size += EDIT_HEAD + edit.bytes.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const edit of edits) {
    out.writeUInt32LE(edit.start, at);
    out.writeUInt32LE(edit.end, at + 4);
    out.writeUInt32LE(edit.bytes.length, at + 8);
    at += EDIT_HEAD + edit.bytes.copy(out, at + EDIT_HEAD);
  }
  return out;
}

/** The tracked mail from the mail as received and its patch (see encodePatch). Throws on a patch that does not fit. */
export function applyPatch(raw: Buffer, patch: Buffer): Buffer {
  return applyEdits(raw, decodePatch(patch));
}

/** The edits of a patch (see encodePatch), for a reader that applies them piece by piece. */
export function decodePatch(patch: Buffer): Edit[] {
  const edits: Edit[] = [];
  for (let at = 0; at < patch.length;) {
    if (at + EDIT_HEAD > patch.length) throw new Error("[store] a tracked mail's patch is cut short");
    const length = patch.readUInt32LE(at + 8);
    const from = at + EDIT_HEAD;
    if (from + length > patch.length) throw new Error("[store] a tracked mail's patch is cut short");
    edits.push({
      start: patch.readUInt32LE(at),
      end: patch.readUInt32LE(at + 4),
      bytes: patch.subarray(from, from + length),
    });
    at = from + length;
  }
  return edits;
}
