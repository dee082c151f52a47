import { useState } from 'react';
import { ErrorNotice } from '../shared/ErrorNotice';
import { addedHeaderNames, parseRawHeaders } from './rawHeaders';
import { useHeaders, useRaw } from './useMessage';
import { Loading } from '../shared/Loading';

export function HeadersTab({ id }: { id: string }) {
  const [version, setVersion] = useState<'original' | 'tracked'>('original');
  const headers = useHeaders(id);
  const tracked = version === 'tracked';
  // The headers route serves the mail as received; the tracked header block is read from the tracked raw mail.
  const trackedRaw = useRaw(id, 'tracked', tracked);
  const source = tracked ? trackedRaw : headers;
  const table = tracked
    ? trackedRaw.data !== undefined
      ? parseRawHeaders(trackedRaw.data)
      : undefined
    : headers.data;
  const added = tracked && table && headers.data ? addedHeaderNames(headers.data, table) : new Set<string>();
  return (
    <div>
      <div className="preview-bar">
        <div className="segmented" role="group" aria-label="Version">
          <button
            type="button"
            className={tracked ? 'seg' : 'seg seg-on'}
            onClick={() => setVersion('original')}
          >
            as received
          </button>
          <button
            type="button"
            className={tracked ? 'seg seg-on' : 'seg'}
            onClick={() => setVersion('tracked')}
          >
            tracked
          </button>
        </div>
        {tracked && added.size > 0 && <span className="muted">Highlighted: added by tracking.</span>}
      </div>
      {source.isError ? (
        <ErrorNotice error={source.error} onRetry={() => void source.refetch()} />
      ) : !table ? (
        <Loading />
      ) : (
        <table className="table headers-table" data-testid="headers-table">
          <tbody>
            {Object.entries(table)
              .sort(([a], [b]) => a.localeCompare(b))
              .flatMap(([name, values]) =>
                values.map((v, i) => (
                  <tr key={`${name}-${i}`} className={added.has(name) ? 'header-added' : undefined}>
                    <th>{name}</th>
                    <td>{v}</td>
                  </tr>
                )),
              )}
          </tbody>
        </table>
      )}
    </div>
  );
}
