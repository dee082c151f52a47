import { useEffect, useRef, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import {
  HUMAN_CLIENTS,
  PROFILE_HELP,
  SIMULATE_PROFILES,
  type HumanClient,
  type SimulateProfile,
} from '../../../src-main/api/types';
import { api } from '../api/client';

interface SimulateAnswer {
  profile: SimulateProfile;
  steps: { at: string; kind: string; classification: string; url?: string }[];
}

/** A journey in the UI runs a minute per second, so it plays out while the developer watches. */
const UI_JOURNEY_COMPRESS = 60;

/**
 * The message toolbar's "Simulate" menu: imitates a recipient (a person, Apple's or Gmail's proxy, a link scanner,
 * a one-click unsubscribe, a whole inbox journey) through the real tracking endpoints. Its events are marked
 * `sandbox` and arrive in the Events tab live; they never count as a recipient's.
 */
export function SimulateMenu({ id }: { id: string }) {
  const [open, setOpen] = useState(false);
  const [link, setLink] = useState(1);
  const [client, setClient] = useState<HumanClient>('outlook-desktop');
  const box = useRef<HTMLDivElement>(null);
  const run = useMutation({
    mutationFn: (profile: SimulateProfile) =>
      api.send<SimulateAnswer>('POST', `message/${encodeURIComponent(id)}/simulate`, {
        profile,
        ...(profile === 'human-click' ? { link } : {}),
        ...(profile === 'human-open' ? { client } : {}),
        ...(profile === 'inbox-journey' ? { compress: UI_JOURNEY_COMPRESS } : {}),
      }),
  });

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node))
        setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  return (
    <div ref={box} style={{ position: 'relative', display: 'inline-block' }} data-testid="simulate-menu">
      <button
        type="button"
        className="btn btn-small"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        title="Imitate a recipient through the tracking endpoints (recorded as sandbox)"
      >
        Simulate ▾
      </button>
      {open && (
        <div
          role="menu"
          className="panel"
          style={{
            position: 'absolute',
            right: 0,
            top: '100%',
            zIndex: 20,
            minWidth: 320,
            padding: 8,
            marginTop: 4,
            background: 'var(--panel)',
            border: '1px solid var(--border)',
            borderRadius: 6,
            boxShadow: '0 6px 24px rgba(0,0,0,.18)',
          }}
        >
          {SIMULATE_PROFILES.map((profile) => (
            <div key={profile} style={{ display: 'flex', alignItems: 'center', gap: 6, padding: '3px 0' }}>
              <button
                type="button"
                role="menuitem"
                className="btn btn-small"
                disabled={run.isPending}
                onClick={() => run.mutate(profile)}
                title={PROFILE_HELP[profile]}
                style={{ flex: 1, textAlign: 'left' }}
              >
                {profile}
              </button>
              {profile === 'human-open' && (
                <select
                  aria-label="Client"
                  value={client}
                  onChange={(e) => setClient(e.target.value as HumanClient)}
                >
                  {HUMAN_CLIENTS.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              )}
              {profile === 'human-click' && (
                <label className="muted small">
                  link{' '}
                  <input
                    type="number"
                    aria-label="Link number"
                    min={1}
                    value={link}
                    onChange={(e) => setLink(Math.max(1, Math.trunc(Number(e.target.value)) || 1))}
                    style={{ width: 48 }}
                  />
                </label>
              )}
            </div>
          ))}
          <div className="muted small" role="status" style={{ paddingTop: 6 }} data-testid="simulate-status">
            {run.isPending
              ? 'Simulating…'
              : run.isError
                ? (run.error as Error).message.replace(/^\[api\] /, '')
                : run.data
                  ? `${run.data.profile}: ${run.data.steps.length} step${run.data.steps.length === 1 ? '' : 's'} (${run.data.steps
                      .map((s) => `${s.kind} as ${s.classification}`)
                      .join(', ')})`
                  : 'Events are recorded as sandbox, never as a recipient’s.'}
          </div>
        </div>
      )}
    </div>
  );
}
