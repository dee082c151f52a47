import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { RelayEntry } from '../../../src-main/wire/types';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { clockTime, fullTime, relativeTime, untilTime } from '../format/time';
import { ErrorNotice } from '../shared/ErrorNotice';

export function RelayEntries({ entries, showMail }: { entries: RelayEntry[]; showMail: boolean }) {
  const client = useQueryClient();
  const retry = useMutation({
    mutationFn: (id: number) => api.send('POST', `relay/${id}/retry`),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.relay }),
  });
  return (
    <>
      {retry.isError && <ErrorNotice title="Retry failed" error={retry.error} />}
      <table className="table relay-table" data-testid="relay-entries">
        <thead>
          <tr>
            {showMail && <th>Mail</th>}
            <th>Recipients</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Next try</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-status={e.status}>
              {showMail && (
                <td>
                  <Link to={`/message/${encodeURIComponent(e.messageId)}`}>
                    {e.subject || '(no subject)'}
                  </Link>
                  <div className="muted small">
                    {e.reason === 'release' ? 'released' : 'by rule'} · {relativeTime(e.createdAt)}
                  </div>
                </td>
              )}
              <td>{e.recipients.join(', ')}</td>
              <td>
                <span className={`status status-${e.status}`}>{e.status}</span>
              </td>
              <td>
                {e.attempts.length === 0 ? (
                  <span className="muted">none yet</span>
                ) : (
                  <ul className="attempts">
                    {e.attempts.map((a, i) => (
                      <li key={i} title={fullTime(a.at)}>
                        <span className={a.ok ? 'ok' : 'fail'}>{a.ok ? '✓' : '✗'}</span> {clockTime(a.at)}{' '}
                        <code>{a.reply}</code>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td title={e.nextAttemptAt ? fullTime(e.nextAttemptAt) : undefined}>
                {e.nextAttemptAt ? untilTime(e.nextAttemptAt) : '—'}
              </td>
              <td>
                {(e.status === 'failed' || e.status === 'dead') && (
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={retry.isPending}
                    onClick={() => retry.mutate(e.id)}
                  >
                    Retry
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
