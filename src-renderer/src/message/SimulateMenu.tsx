import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import {
  HUMAN_CLIENTS,
  SIMULATE_PROFILES,
  type HumanClient,
  type SimulateProfile,
} from '../../../src-main/wire/types';
import { api, errorMessage } from '../api/client';
import { Menu } from '../shared/Menu';

interface SimulateAnswer {
  profile: SimulateProfile;
  steps: { at: string; kind: string; classification: string; url?: string }[];
}

/** A journey in the UI runs a minute per second, so it plays out while the developer watches. */
const UI_JOURNEY_COMPRESS = 60;

/** What each profile is called in the menu, and the line under it on what it does. */
const PROFILE_WORDS: Record<SimulateProfile, { label: string; help: string }> = {
  'human-open': { label: 'Human opens', help: 'A person opens the mail in the mail client chosen below.' },
  'human-click': {
    label: 'Human clicks a link',
    help: 'A person clicks the link numbered below, in a browser.',
  },
  'apple-mpp': {
    label: 'Apple Mail Privacy Protection',
    help: "Apple's proxy fetches the pixel at delivery, whether or not anyone reads.",
  },
  'gmail-proxy': { label: 'Gmail image proxy', help: 'Gmail fetches the pixel through its image proxy.' },
  'safe-links': {
    label: 'Microsoft Safe Links',
    help: 'A link scanner follows every link right after delivery.',
  },
  'unsubscribe-one-click': {
    label: 'One-click unsubscribe',
    help: 'The mailbox provider sends the RFC 8058 unsubscribe POST.',
  },
  'inbox-journey': {
    label: "A recipient's journey",
    help: 'Delivery, a proxy prefetch, an open, a click, sometimes an unsubscribe, a minute a second.',
  },
};

const CLIENT_NAMES: Record<HumanClient, string> = {
  'outlook-desktop': 'Outlook (desktop)',
  'apple-mail': 'Apple Mail',
  'ios-mail': 'iOS Mail',
  thunderbird: 'Thunderbird',
};

/**
 * The message toolbar's "Simulate" menu: imitates a recipient (a person, Apple's or Gmail's proxy, a link scanner,
 * a one-click unsubscribe, a whole inbox journey) through the real tracking endpoints. Its events arrive in the
 * Events tab live.
 */
export function SimulateMenu({ id }: { id: string }) {
  const [link, setLink] = useState(1);
  const [client, setClient] = useState<HumanClient>('outlook-desktop');
  const run = useMutation({
    mutationFn: (profile: SimulateProfile) =>
      api.send<SimulateAnswer>('POST', `message/${encodeURIComponent(id)}/simulate`, {
        profile,
        ...(profile === 'human-click' ? { link } : {}),
        ...(profile === 'human-open' ? { client } : {}),
        ...(profile === 'inbox-journey' ? { compress: UI_JOURNEY_COMPRESS } : {}),
      }),
  });

  const status = run.isPending
    ? 'Simulating…'
    : run.isError
      ? errorMessage(run.error)
      : run.data
        ? `${PROFILE_WORDS[run.data.profile].label}: ${run.data.steps.length} step${run.data.steps.length === 1 ? '' : 's'}`
        : '';

  return (
    <>
      {status && (
        <span
          className={run.isError ? 'simulate-status error-text' : 'simulate-status muted small'}
          role="status"
          data-testid="simulate-status"
          title={status}
        >
          {status}
        </span>
      )}
      <Menu
        label="Simulate"
        title="Imitate a recipient through the tracking endpoints"
        testId="simulate-menu"
        items={SIMULATE_PROFILES.map((profile) => ({
          key: profile,
          label: PROFILE_WORDS[profile].label,
          description: PROFILE_WORDS[profile].help,
          disabled: run.isPending,
          onSelect: () => run.mutate(profile),
        }))}
        footer={
          <div className="simulate-options">
            <label>
              Mail client{' '}
              <select value={client} onChange={(e) => setClient(e.target.value as HumanClient)}>
                {HUMAN_CLIENTS.map((c) => (
                  <option key={c} value={c}>
                    {CLIENT_NAMES[c]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Link{' '}
              <input
                type="number"
                min={1}
                value={link}
                onChange={(e) => setLink(Math.max(1, Math.trunc(Number(e.target.value)) || 1))}
                style={{ width: 52 }}
              />
            </label>
          </div>
        }
      />
    </>
  );
}
