// A mail's tags: chips with a remove button and a field to add one (Enter or comma). Saves with Mailpit's
// PUT /api/v1/tags; the hub's `tags` update refreshes the lists and the sidebar's counts.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage } from '../api/client';
import { queryKeys } from '../api/queryKeys';

export function TagEditor({ id, tags }: { id: string; tags: string[] }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState('');
  const save = useMutation({
    mutationFn: (next: string[]) => api.send('PUT', 'tags', { IDs: [id], Tags: next }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.message(id) });
      void client.invalidateQueries({ queryKey: queryKeys.messagesAll });
      void client.invalidateQueries({ queryKey: queryKeys.info });
    },
  });

  const add = () => {
    const name = draft.replace(/,/g, ' ').trim();
    setDraft('');
    if (name && !tags.some((t) => t.toLowerCase() === name.toLowerCase())) save.mutate([...tags, name]);
  };

  return (
    <div className="tag-editor" data-testid="tag-editor">
      {tags.map((tag) => (
        <span key={tag} className="chip chip-on tag-chip">
          {tag}
          <button
            type="button"
            className="tag-remove"
            aria-label={`Remove tag ${tag}`}
            onClick={() => save.mutate(tags.filter((t) => t !== tag))}
          >
            ×
          </button>
        </span>
      ))}
      <input
        className="tag-input"
        aria-label="Add a tag"
        placeholder="+ tag"
        value={draft}
        maxLength={100}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ',') {
            e.preventDefault();
            add();
          }
        }}
        onBlur={() => draft.trim() && add()}
      />
      {save.isError && <span className="tag-error">{errorMessage(save.error)}</span>}
    </div>
  );
}
