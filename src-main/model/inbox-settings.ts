// What one inbox overrides of the server's flags. Stored as JSON beside the inbox's row; null (or 'default') means
// the flag applies, so an inbox without settings behaves as every mail did before inboxes had any.

export type RelayMode = 'default' | 'off' | 'all' | 'matching';

export const RELAY_MODES: readonly RelayMode[] = ['default', 'off', 'all', 'matching'];

/** What an inbox overrides; null (or 'default') = the server's flag applies. */
export interface InboxSettings {
  /** `--max-messages` for this inbox alone (0 = no bound of its own). */
  maxMessages: number | null;
  /** `--max-age` for this inbox, in ms. */
  maxAgeMs: number | null;
  /** false: store this inbox's mail without injecting tracking (as `--no-track` does); true: track it. */
  tracking: boolean | null;
  /** matching: a recipient regular expression; to: the address every relayed mail goes to instead. */
  relay: { mode: RelayMode; matching: string | null; to: string | null };
  /** This inbox's events also go to `url`, signed with `secret`. */
  webhook: { url: string | null; secret: string | null };
  /** Like `--tag TAG=QUERY`, for this inbox's mail only, applied after the flags' rules. */
  tagRules: { tag: string; query: string }[];
}

export const NO_OVERRIDES: InboxSettings = Object.freeze({
  maxMessages: null,
  maxAgeMs: null,
  tracking: null,
  relay: Object.freeze({ mode: 'default', matching: null, to: null }),
  webhook: Object.freeze({ url: null, secret: null }),
  tagRules: Object.freeze([]) as unknown as InboxSettings['tagRules'],
}) as InboxSettings;

/** Whether an inbox overrides nothing. */
export const hasNoOverrides = (s: InboxSettings): boolean =>
  JSON.stringify(s) === JSON.stringify(NO_OVERRIDES);

const orNull = <T>(value: unknown, is: (v: unknown) => v is T): T | null => (is(value) ? value : null);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * Settings as stored (JSON of any earlier shape, or damaged) made whole: a field missing or of the wrong type is
 * the flag's. Settings are checked when they are saved; this only keeps a stored row from breaking a service.
 */
export function settingsFromJson(json: string): InboxSettings {
  let raw: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    raw = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    raw = {};
  }
  const relay = (raw.relay ?? {}) as Record<string, unknown>;
  const webhook = (raw.webhook ?? {}) as Record<string, unknown>;
  const mode = RELAY_MODES.includes(relay.mode as RelayMode) ? (relay.mode as RelayMode) : 'default';
  const rules = Array.isArray(raw.tagRules) ? (raw.tagRules as unknown[]) : [];
  return {
    maxMessages: orNull(raw.maxMessages, isCount),
    maxAgeMs: orNull(raw.maxAgeMs, isMs),
    tracking: orNull(raw.tracking, isBool),
    relay: { mode, matching: orNull(relay.matching, isText), to: orNull(relay.to, isText) },
    webhook: { url: orNull(webhook.url, isText), secret: orNull(webhook.secret, isText) },
    tagRules: rules
      .filter(
        (r): r is { tag: string; query: string } =>
          !!r && isText((r as { tag?: unknown }).tag) && isText((r as { query?: unknown }).query),
      )
      .map((r) => ({ tag: r.tag, query: r.query })),
  };
}

/** What the services ask of the inboxes' settings at the moment they act (see inboxes/settings.ts). */
export interface InboxSettingsSource {
  /** An inbox's settings; NO_OVERRIDES for one without any. */
  get(name: string): InboxSettings;
  /** The inboxes that override something, with their settings. */
  overriding(): [string, InboxSettings][];
}
