import { z } from 'zod';
import { age, type Settings } from '../../config/schema.js';
import { RELAY_MODES, type InboxSettings, type RelayMode } from '../../model/inbox-settings.js';
import { cleanTags } from '../../store/message-rows.js';
import { parseQuery } from '../../search/query.js';
import type { InboxSettingsResponse, InboxSettingsWire } from '../../wire/schemas.js';

// The wire form of an inbox's settings (PascalCase, MaxAge as "7d"), what a PUT may change, and the flags' values
// that null falls back to.

const MASK = '••••';
const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** An age as `--max-age` takes it: the largest unit that writes it whole ("90m" rather than "1.5h"). */
export function formatAge(ms: number): string {
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms / 1000}s`;
}

const maxAge = z.string().max(40).pipe(age);

const recipientRegex = z
  .string()
  .max(1000)
  .superRefine((value, ctx) => {
    try {
      new RegExp(value, 'i');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `bad regular expression: ${(err as Error).message}` });
    }
  });

const webhookUrl = z
  .string()
  .max(2000)
  .refine(
    (value) => {
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: 'the webhook URL must be an http or https URL' },
  );

/** A tag as it is stored (see cleanTags): what a rule gives is what the mail gets. */
const tagName = z.string().refine((tag) => !tag.includes('=') && cleanTags([tag])[0] === tag, {
  message: 'a tag is letters, digits, "-", ".", "_" and single spaces, at most 100 characters',
});

const tagQuery = z
  .string()
  .max(2000)
  .superRefine((query, ctx) => {
    try {
      if (!parseQuery(query).length) throw new Error('the query is empty');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `bad query: ${(err as Error).message}` });
    }
  });

/** `PUT …/settings`: any of the fields; an omitted one stays as it is, null puts it back to the flag's. */
export const settingsPatch = z
  .object({
    MaxMessages: z.number().int().nonnegative().max(1_000_000_000).nullable(),
    MaxAge: maxAge.nullable(),
    Tracking: z.boolean().nullable(),
    Relay: z
      .object({
        Mode: z.enum(RELAY_MODES as [RelayMode, ...RelayMode[]]).nullable(),
        Matching: recipientRegex.nullable(),
        To: z.string().max(320).email().nullable(),
      })
      .partial()
      .strict()
      .nullable(),
    Webhook: z
      .object({
        URL: webhookUrl.nullable(),
        Secret: z
          .string()
          .max(200)
          .regex(/^whsec_[A-Za-z0-9+/=]+$/, 'the webhook secret must look like whsec_<base64>')
          .nullable(),
      })
      .partial()
      .strict()
      .nullable(),
    TagRules: z
      .array(z.object({ Tag: tagName, Query: tagQuery }).strict())
      .max(100)
      .nullable(),
  })
  .partial()
  .strict();

export type SettingsPatch = z.infer<typeof settingsPatch>;

/** The settings a PUT leaves: each field given replaces the current one, null puts it back to the flag's. */
export function applyPatch(current: InboxSettings, patch: SettingsPatch): InboxSettings {
  const next: InboxSettings = structuredClone(current);
  if (patch.MaxMessages !== undefined) next.maxMessages = patch.MaxMessages;
  if (patch.MaxAge !== undefined) next.maxAgeMs = patch.MaxAge;
  if (patch.Tracking !== undefined) next.tracking = patch.Tracking;
  if (patch.Relay === null) next.relay = { mode: 'default', matching: null, to: null };
  else if (patch.Relay) {
    if (patch.Relay.Mode !== undefined) next.relay.mode = patch.Relay.Mode ?? 'default';
    if (patch.Relay.Matching !== undefined) next.relay.matching = patch.Relay.Matching || null;
    if (patch.Relay.To !== undefined) next.relay.to = patch.Relay.To || null;
  }
  if (patch.Webhook === null) next.webhook = { url: null, secret: null };
  else if (patch.Webhook) {
    if (patch.Webhook.URL !== undefined) next.webhook.url = patch.Webhook.URL;
    if (patch.Webhook.Secret !== undefined) next.webhook.secret = patch.Webhook.Secret;
  }
  if (patch.TagRules !== undefined)
    next.tagRules = (patch.TagRules ?? []).map((r) => ({ tag: r.Tag, query: r.Query }));
  return next;
}

export function settingsToWire(s: InboxSettings): InboxSettingsWire {
  return {
    MaxMessages: s.maxMessages,
    MaxAge: s.maxAgeMs === null ? null : formatAge(s.maxAgeMs),
    Tracking: s.tracking,
    Relay: { Mode: s.relay.mode, Matching: s.relay.matching, To: s.relay.to },
    Webhook: { URL: s.webhook.url, Secret: s.webhook.secret },
    TagRules: s.tagRules.map((r) => ({ Tag: r.tag, Query: r.query })),
  };
}

/** The flags' values in the same shape: what each null stands for. */
export function defaultsToWire(
  settings: Pick<
    Settings,
    | 'maxMessages'
    | 'maxAge'
    | 'noTrack'
    | 'relay'
    | 'relayAll'
    | 'relayMatching'
    | 'relayTo'
    | 'webhook'
    | 'tag'
  >,
): InboxSettingsWire {
  const relayMode: RelayMode = !settings.relay
    ? 'off'
    : settings.relayAll
      ? 'all'
      : settings.relayMatching
        ? 'matching'
        : 'off';
  return {
    MaxMessages: settings.maxMessages,
    MaxAge: settings.maxAge === undefined ? null : formatAge(settings.maxAge),
    Tracking: !settings.noTrack,
    Relay: {
      Mode: relayMode,
      Matching: settings.relayMatching?.source ?? null,
      To: settings.relayTo ?? null,
    },
    Webhook: {
      URL: settings.webhook.length ? settings.webhook.join(',') : null,
      Secret: settings.webhook.length ? MASK : null,
    },
    TagRules: settings.tag.map((r) => ({ Tag: r.tag, Query: r.query })),
  };
}

export function settingsResponse(
  inbox: string,
  s: InboxSettings,
  defaults: InboxSettingsWire,
): InboxSettingsResponse {
  return { Inbox: inbox, Settings: settingsToWire(s), Defaults: defaults };
}
