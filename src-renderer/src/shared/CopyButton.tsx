import { useEffect, useState } from 'react';

/** How long "Copied" stays, long enough to notice, short enough to copy again. */
const CONFIRM_MS = 1500;

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), CONFIRM_MS);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className="btn btn-small"
      title={`Copy ${text}`}
      onClick={() => {
        navigator.clipboard
          .writeText(text)
          .then(() => setState('copied'))
          // Clipboard access needs a secure context or a user permission; say so rather than pretend.
          .catch(() => setState('failed'));
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </button>
  );
}
