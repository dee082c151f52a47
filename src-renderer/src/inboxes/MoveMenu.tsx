// "Move to…": the inboxes the caller sees, but the one this page shows. A move takes the mails with their tracking
// events; the server ignores mails the caller may not see and refuses an inbox they may not open.
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';
import { useMoveMessages } from '../inbox/actions';
import { Menu } from '../shared/Menu';
import { CURRENT_INBOX } from './inboxBase';
import { useInboxes } from './useInboxes';

export function MoveMenu({
  ids,
  label = 'Move to…',
  onMoved,
}: {
  ids: readonly string[];
  label?: ReactNode;
  /** After the server answered: the destination and how many mails moved (0 when all were there already). */
  onMoved?: (to: string, moved: number) => void;
}) {
  const inboxes = useInboxes();
  const move = useMoveMessages();
  const list = inboxes.data?.inboxes ?? [];
  // One inbox: nowhere to move to.
  if (list.length < 2) return null;
  const targets = list.filter((i) => i.Name !== CURRENT_INBOX);
  const none = ids.length === 0 || move.isPending;
  return (
    <>
      <Menu
        label={move.isPending ? 'Moving…' : label}
        title={
          ids.length > 1
            ? `Move the ${ids.length} selected mails, with their tracking events, to another inbox`
            : 'Move this mail, with its tracking events, to another inbox'
        }
        testId="move-menu"
        disabled={none}
        items={targets.map((i) => ({
          key: i.Name,
          label: i.Closed ? `${i.Name} (closed)` : i.Name,
          disabled: none,
          onSelect: () =>
            move.mutate(
              { ids: [...ids], to: i.Name },
              { onSuccess: (result) => onMoved?.(i.Name, result?.Moved ?? 0) },
            ),
        }))}
      />
      {move.isError && (
        <span className="toolbar-error" role="alert" title={errorMessage(move.error)}>
          Not moved: {errorMessage(move.error)}
        </span>
      )}
    </>
  );
}
