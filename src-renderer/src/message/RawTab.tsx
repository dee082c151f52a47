import { useState } from 'react';
import { ErrorNotice } from '../shared/ErrorNotice';
import { useRaw } from './useMessage';
import { Loading } from '../shared/Loading';

export function RawTab({ id }: { id: string }) {
  const [version, setVersion] = useState<'original' | 'tracked'>('original');
  const raw = useRaw(id, version);
  return (
    <div className="source">
      <div className="preview-bar">
        <div className="segmented" role="group" aria-label="Version">
          <button
            type="button"
            className={version === 'original' ? 'seg seg-on' : 'seg'}
            onClick={() => setVersion('original')}
          >
            as received
          </button>
          <button
            type="button"
            className={version === 'tracked' ? 'seg seg-on' : 'seg'}
            onClick={() => setVersion('tracked')}
          >
            tracked
          </button>
        </div>
      </div>
      {raw.isPending ? (
        <Loading />
      ) : raw.isError ? (
        <ErrorNotice error={raw.error} onRetry={() => void raw.refetch()} />
      ) : (
        <pre className="code" data-testid="raw-source">
          {raw.data}
        </pre>
      )}
    </div>
  );
}
