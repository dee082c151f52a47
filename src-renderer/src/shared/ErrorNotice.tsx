import { errorMessage } from '../api/client';

/** An API failure, said plainly, with a retry when there is something to retry. */
export function ErrorNotice({
  error,
  onRetry,
  title,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="notice notice-error" role="alert">
      <div>
        <strong>{title ?? 'Could not load'}</strong>
        <div className="notice-detail">{errorMessage(error)}</div>
      </div>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
