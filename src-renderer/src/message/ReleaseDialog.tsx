import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Message } from '../../../src-main/wire/types';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { useRelay } from '../api/resources';
import { ErrorNotice } from '../shared/ErrorNotice';
import { Modal } from '../shared/Modal';

/** Recipients as typed: commas, semicolons or new lines between them. */
export function parseRecipients(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const LOOKS_LIKE_ADDRESS = /^[^@\s]+@[^@\s]+$/;

export function ReleaseDialog({ message: m, onClose }: { message: Message; onClose: () => void }) {
  const client = useQueryClient();
  const relay = useRelay();
  const [text, setText] = useState(() => (m.To ?? []).map((a) => a.Address).join(', '));
  const recipients = parseRecipients(text);
  const invalid = recipients.filter((r) => !LOOKS_LIKE_ADDRESS.test(r));
  const release = useMutation({
    mutationFn: () => api.send('POST', `message/${encodeURIComponent(m.ID)}/release`, { To: recipients }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.relay });
      onClose();
    },
  });
  const relayOff = relay.data && !relay.data.config.enabled;
  return (
    <Modal
      title="Release mail"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={recipients.length === 0 || invalid.length > 0 || release.isPending}
            onClick={() => release.mutate()}
          >
            {release.isPending ? 'Releasing…' : `Release to ${recipients.length || ''}`}
          </button>
        </>
      }
    >
      <p>
        Sends the tracked version of <strong>{m.Subject || '(no subject)'}</strong> through the relay
        {relay.data?.config.enabled && relay.data.config.url ? (
          <>
            {' '}
            (<code>{relay.data.config.url}</code>)
          </>
        ) : null}
        .
      </p>
      {relayOff && (
        <div className="notice notice-warn">No relay is configured; start with --relay smtp://host:port.</div>
      )}
      <label className="field">
        <span>Recipients</span>
        <textarea
          data-autofocus
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-label="Recipients"
        />
      </label>
      {invalid.length > 0 && <div className="field-error">Not an address: {invalid.join(', ')}</div>}
      {release.isError && <ErrorNotice title="Not released" error={release.error} />}
    </Modal>
  );
}
