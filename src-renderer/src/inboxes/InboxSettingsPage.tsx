// One inbox's settings: what it overrides of the server's flags, each field beside the flag's value it falls back
// to when left empty. On the unscoped page it lists the inboxes; each inbox's settings open on that inbox's page,
// whose API (and credentials, for a closed inbox) they belong to.
import { useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { InboxSettingsResponse } from '../../../src-main/wire/types';
import { api, errorMessage } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { ErrorNotice } from '../shared/ErrorNotice';
import { Loading } from '../shared/Loading';
import { CURRENT_INBOX, inboxPrefix } from './inboxBase';
import { useInboxes } from './useInboxes';
import {
  defaultNote,
  draftFrom,
  fieldErrors,
  generateSecret,
  patchFrom,
  type SettingsDraft,
} from './settingsForm';

const settingsKey = (name: string) => [...queryKeys.inboxes, name, 'settings'] as const;
const settingsPath = (name: string) => `inboxes/${encodeURIComponent(name)}/settings`;

export function InboxSettingsPage() {
  if (CURRENT_INBOX === undefined) return <InboxPicker />;
  return <InboxSettings name={CURRENT_INBOX} />;
}

function InboxPicker() {
  const inboxes = useInboxes();
  return (
    <div className="page" data-testid="inbox-settings-page">
      <h1 className="page-title">Inbox settings</h1>
      <section className="panel">
        <p className="muted">Each inbox overrides the server's flags for its own mail. Pick an inbox:</p>
        {inboxes.isError && <ErrorNotice error={inboxes.error} />}
        <ul className="inbox-pick">
          {inboxes.data?.inboxes.map((i) => (
            <li key={i.Name}>
              <a href={`${inboxPrefix(i.Name)}/#/inbox-settings`}>{i.Name}</a>
              {i.Closed && <span className="muted"> (closed)</span>}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

type SaveMutation = ReturnType<typeof useSaveSettings>;

function useSaveSettings(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (d: SettingsDraft) =>
      api.send<InboxSettingsResponse>('PUT', settingsPath(name), patchFrom(d)),
    onSuccess: (answer) => client.setQueryData(settingsKey(name), answer),
  });
}

function InboxSettings({ name }: { name: string }) {
  const query = useQuery({
    queryKey: settingsKey(name),
    queryFn: ({ signal }) => api.get<InboxSettingsResponse>(settingsPath(name), signal),
  });
  // Held here, not in the form, which a save builds again: its outcome stays on screen.
  const save = useSaveSettings(name);
  return (
    <div className="page" data-testid="inbox-settings-page">
      <h1 className="page-title">
        Inbox settings: <code>{name}</code>
      </h1>
      {query.isPending && <Loading className="empty empty-quiet muted" />}
      {query.isError && <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />}
      {/* Keyed by the stored settings: a save starts the draft over from what the server kept ("90m", not "1.5h"). */}
      {query.data && <SettingsForm key={JSON.stringify(query.data.Settings)} data={query.data} save={save} />}
    </div>
  );
}

function SettingsForm({ data, save }: { data: InboxSettingsResponse; save: SaveMutation }) {
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFrom(data.Settings));
  const errors = save.isError ? fieldErrors(errorMessage(save.error)) : {};
  const d = data.Defaults;
  const saved = save.isSuccess && JSON.stringify(draft) === JSON.stringify(draftFrom(data.Settings));
  const set = (patch: Partial<SettingsDraft>) => {
    setDraft((x) => ({ ...x, ...patch }));
  };
  const known = new Set(['MaxMessages', 'MaxAge', 'Tracking', 'Relay.Mode', 'Relay.Matching', 'Relay.To']);
  const other = Object.entries(errors).filter(
    ([key]) => !known.has(key) && !key.startsWith('Webhook') && !key.startsWith('TagRules'),
  );

  return (
    <form
      className="inbox-settings"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(draft);
      }}
    >
      <section className="panel">
        <div className="panel-title">Retention</div>
        <Row
          label="Keep at most"
          id="s-max"
          note={defaultNote(d.MaxMessages, '--max-messages')}
          error={errors.MaxMessages}
        >
          <input
            id="s-max"
            type="text"
            inputMode="numeric"
            placeholder={d.MaxMessages === null ? 'no limit' : String(d.MaxMessages)}
            value={draft.maxMessages}
            onChange={(e) => set({ maxMessages: e.target.value })}
          />
          <span className="muted"> mails (0: no limit)</span>
        </Row>
        <Row
          label="Delete mail older than"
          id="s-age"
          note={defaultNote(d.MaxAge, '--max-age')}
          error={errors.MaxAge}
        >
          <input
            id="s-age"
            type="text"
            placeholder={d.MaxAge ?? 'e.g. 7d, 12h'}
            value={draft.maxAge}
            onChange={(e) => set({ maxAge: e.target.value })}
          />
        </Row>
      </section>

      <section className="panel">
        <div className="panel-title">Tracking</div>
        <Row
          label="Track opens and clicks"
          id="s-track"
          note={defaultNote(d.Tracking, '--no-track')}
          error={errors.Tracking}
        >
          <select
            id="s-track"
            value={draft.tracking}
            onChange={(e) => set({ tracking: e.target.value as SettingsDraft['tracking'] })}
          >
            <option value="">as the server ({d.Tracking ? 'on' : 'off'})</option>
            <option value="on">on</option>
            <option value="off">off: store mail as sent</option>
          </select>
        </Row>
      </section>

      <section className="panel">
        <div className="panel-title">Relay</div>
        <Row
          label="Forward"
          id="s-relay"
          note={defaultNote(d.Relay.Mode, '--relay-all, --relay-matching')}
          error={errors['Relay.Mode']}
        >
          <select
            id="s-relay"
            value={draft.relayMode}
            onChange={(e) => set({ relayMode: e.target.value as SettingsDraft['relayMode'] })}
          >
            <option value="default">as the server ({d.Relay.Mode})</option>
            <option value="off">nothing</option>
            <option value="all">every mail</option>
            <option value="matching">mail to matching recipients</option>
          </select>
        </Row>
        <Row
          label="Recipients matching"
          id="s-match"
          note={defaultNote(d.Relay.Matching, '--relay-matching')}
          error={errors['Relay.Matching']}
        >
          <input
            id="s-match"
            type="text"
            className="mono"
            placeholder="regular expression, e.g. @example\.org$"
            value={draft.relayMatching}
            onChange={(e) => set({ relayMatching: e.target.value })}
          />
        </Row>
        <Row
          label="Send all to"
          id="s-to"
          note={defaultNote(d.Relay.To, '--relay-to')}
          error={errors['Relay.To']}
        >
          <input
            id="s-to"
            type="text"
            placeholder="address, e.g. qa@example.org"
            value={draft.relayTo}
            onChange={(e) => set({ relayTo: e.target.value })}
          />
        </Row>
      </section>

      <section className="panel">
        <div className="panel-title">Webhook</div>
        <Row
          label="URL"
          id="s-hook"
          note={defaultNote(d.Webhook.URL, '--webhook')}
          error={errors['Webhook.URL'] ?? errors.Webhook}
        >
          <input
            id="s-hook"
            type="text"
            placeholder="https://example.org/hooks/mail"
            value={draft.webhookUrl}
            onChange={(e) => set({ webhookUrl: e.target.value })}
          />
        </Row>
        <Row
          label="Secret"
          id="s-secret"
          note={defaultNote(d.Webhook.Secret, '--webhook-secret')}
          error={errors['Webhook.Secret']}
        >
          <input
            id="s-secret"
            type="text"
            className="mono"
            placeholder="whsec_…"
            value={draft.webhookSecret}
            onChange={(e) => set({ webhookSecret: e.target.value })}
          />{' '}
          <button
            type="button"
            className="btn btn-small"
            onClick={() => set({ webhookSecret: generateSecret() })}
          >
            Generate
          </button>
        </Row>
      </section>

      <section className="panel">
        <div className="panel-title">Tag rules</div>
        <p className="muted small">
          Each new mail of this inbox a query matches gets the tag
          {d.TagRules.length > 0 && (
            <>
              , besides the server's{' '}
              {d.TagRules.map((r) => (
                <code key={`${r.Tag}=${r.Query}`}>
                  {r.Tag}={r.Query}
                </code>
              ))}{' '}
              (--tag)
            </>
          )}
          .
        </p>
        <table className="table tag-rules" data-testid="tag-rules">
          <tbody>
            {draft.tagRules.map((rule, i) => (
              <tr key={i}>
                <td>
                  <input
                    type="text"
                    aria-label={`Tag of rule ${i + 1}`}
                    placeholder="tag"
                    value={rule.tag}
                    onChange={(e) =>
                      set({
                        tagRules: draft.tagRules.map((r, j) => (j === i ? { ...r, tag: e.target.value } : r)),
                      })
                    }
                  />
                  {errors[`TagRules.${i}.Tag`] && (
                    <div className="field-error">{errors[`TagRules.${i}.Tag`]}</div>
                  )}
                </td>
                <td className="tag-rule-query">
                  <input
                    type="text"
                    className="mono"
                    aria-label={`Query of rule ${i + 1}`}
                    placeholder="search, e.g. subject:invoice"
                    value={rule.query}
                    onChange={(e) =>
                      set({
                        tagRules: draft.tagRules.map((r, j) =>
                          j === i ? { ...r, query: e.target.value } : r,
                        ),
                      })
                    }
                  />
                  {errors[`TagRules.${i}.Query`] && (
                    <div className="field-error">{errors[`TagRules.${i}.Query`]}</div>
                  )}
                </td>
                <td className="copy-cell">
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={`Remove rule ${i + 1}`}
                    onClick={() => set({ tagRules: draft.tagRules.filter((_, j) => j !== i) })}
                  >
                    ✕
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {errors.TagRules && <div className="field-error">{errors.TagRules}</div>}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => set({ tagRules: [...draft.tagRules, { tag: '', query: '' }] })}
        >
          Add rule
        </button>
      </section>

      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
        <button
          type="button"
          className="btn"
          disabled={save.isPending}
          onClick={() => {
            save.reset();
            setDraft(draftFrom(data.Settings));
          }}
        >
          Discard changes
        </button>
        {saved && (
          <span className="muted" role="status">
            Saved.
          </span>
        )}
        {other.length > 0 && (
          <span className="field-error" role="alert">
            {other.map(([, text]) => text).join('; ')}
          </span>
        )}
      </div>
    </form>
  );
}

function Row({
  label,
  id,
  note,
  error,
  children,
}: {
  label: string;
  id: string;
  note: string;
  error?: string;
  children: ReactNode;
}) {
  return (
    <div className="setting-row">
      <label htmlFor={id}>{label}</label>
      <div className="setting-input">
        {children}
        {error && (
          <div className="field-error" role="alert">
            {error}
          </div>
        )}
      </div>
      <div className="setting-default muted">{note}</div>
    </div>
  );
}
