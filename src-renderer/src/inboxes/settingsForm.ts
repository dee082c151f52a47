// The per-inbox settings form's plain parts: the draft the inputs edit (strings, '' for "the flag's value"), the
// PUT body it becomes, the server's 400 split into messages per field, and a generated webhook secret.
import type { InboxSettingsWire } from '../../../src-main/wire/types';

type RelayMode = InboxSettingsWire['Relay']['Mode'];

export interface SettingsDraft {
  maxMessages: string;
  maxAge: string;
  /** '' = the flag's. */
  tracking: '' | 'on' | 'off';
  relayMode: RelayMode;
  relayMatching: string;
  relayTo: string;
  webhookUrl: string;
  webhookSecret: string;
  tagRules: { tag: string; query: string }[];
}

export function draftFrom(s: InboxSettingsWire): SettingsDraft {
  return {
    maxMessages: s.MaxMessages === null ? '' : String(s.MaxMessages),
    maxAge: s.MaxAge ?? '',
    tracking: s.Tracking === null ? '' : s.Tracking ? 'on' : 'off',
    relayMode: s.Relay.Mode,
    relayMatching: s.Relay.Matching ?? '',
    relayTo: s.Relay.To ?? '',
    webhookUrl: s.Webhook.URL ?? '',
    webhookSecret: s.Webhook.Secret ?? '',
    tagRules: s.TagRules.map((r) => ({ tag: r.Tag, query: r.Query })),
  };
}

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());

/**
 * The PUT body: every field, an empty one as null (back to the flag's). A count that is not a whole number is sent
 * as it is typed, so the server's 400 names the field rather than the form guessing.
 */
export function patchFrom(d: SettingsDraft): Record<string, unknown> {
  const count = d.maxMessages.trim();
  return {
    MaxMessages: count === '' ? null : /^\d+$/.test(count) ? Number(count) : count,
    MaxAge: orNull(d.maxAge),
    Tracking: d.tracking === '' ? null : d.tracking === 'on',
    Relay: { Mode: d.relayMode, Matching: orNull(d.relayMatching), To: orNull(d.relayTo) },
    Webhook: { URL: orNull(d.webhookUrl), Secret: orNull(d.webhookSecret) },
    // A row left empty is no rule.
    TagRules: d.tagRules
      .filter((r) => r.tag.trim() || r.query.trim())
      .map((r) => ({ Tag: r.tag.trim(), Query: r.query.trim() })),
  };
}

/**
 * The API's 400 (`bad request: MaxAge: …; Relay.Matching: …`) as messages by field path (`MaxAge`,
 * `Relay.Matching`, `TagRules.0.Query`); what names no field is under `''`.
 */
export function fieldErrors(message: string): Record<string, string> {
  const text = message
    .replace(/^\[api\] /, '')
    .replace(/^400 /, '')
    .replace(/^bad request: /, '');
  const body = text.replace(/ \([^()]*\/settings\)$/, '');
  const out: Record<string, string> = {};
  for (const part of body.split(/; (?=[A-Z][\w.]*: )/)) {
    const m = /^([A-Z][\w.]*): (.*)$/s.exec(part);
    const key = m ? m[1]! : '';
    const text = m ? m[2]! : part;
    out[key] = out[key] ? `${out[key]}; ${text}` : text;
  }
  return out;
}

/** A secret as `--webhook-secret` takes it: `whsec_` and the base64 of 24 random bytes. */
export function generateSecret(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)) {
  const bytes = random(new Uint8Array(24));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/** "default: 10000 (--max-messages)": what an empty field stands for. */
export function defaultNote(value: string | number | boolean | null, flag: string): string {
  const shown =
    value === null || value === ''
      ? 'none'
      : typeof value === 'boolean'
        ? value
          ? 'on'
          : 'off'
        : String(value);
  return `default: ${shown} (${flag})`;
}
