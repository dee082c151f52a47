import { useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/client';
import { ErrorNotice } from '../shared/ErrorNotice';
import { ConfirmDialog } from '../shared/Modal';
import { isTypingTarget, keyTargets, listMove } from '../layout/keyboard';
import { useLive } from '../live/LiveProvider';
import { MessageView } from '../message/MessageView';
import { useDeleteMessages, useSetRead } from './actions';
import { EmptyInbox, EmptyMessagePane } from './EmptyInbox';
import { MoveMenu } from '../inboxes/MoveMenu';
import { CURRENT_INBOX } from '../inboxes/inboxBase';
import { PAGE_SIZE } from './pageWindow';
import { MessageList } from './MessageList';
import { SearchBar } from './SearchBar';
import { useMessagePages } from './useMessagePages';

type PendingDelete = { ids: string[]; all: boolean } | null;

/** How long a newly arrived mail stays highlighted: long enough to catch the eye, gone before it is noise. */
const FRESH_MS = 4000;

export function InboxPage() {
  const { id: selectedId = null } = useParams();
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? '';
  const navigate = useNavigate();
  const pages = useMessagePages(query);
  const [cursor, setCursor] = useState(-1);
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [pendingDelete, setPendingDelete] = useState<PendingDelete>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const setRead = useSetRead();
  const del = useDeleteMessages();
  const live = useLive();

  const search = query ? `?q=${encodeURIComponent(query)}` : '';
  const open = useCallback(
    (index: number, id: string) => {
      setCursor(index);
      navigate(`/message/${encodeURIComponent(id)}${search}`);
    },
    [navigate, search],
  );

  const setQuery = useCallback(
    (q: string) => {
      setCursor(-1);
      setChecked(new Set());
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          if (q) next.set('q', q);
          else next.delete('q');
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  // A mail deleted elsewhere (another window, a test suite's DELETE) must not stay open here. Deletes made here have
  // already moved on to the next mail, and their news can arrive before this closure sees the new route.
  const deletedHere = useRef(new Set<string>());
  useEffect(
    () =>
      live.subscribe((u) => {
        if (u.type !== 'deleted' || !selectedId) return;
        if (u.ids !== 'all' && u.ids.every((id) => deletedHere.current.has(id))) return;
        if (u.ids === 'all' || u.ids.includes(selectedId)) navigate(`/${search}`);
      }),
    [live, selectedId, navigate, search],
  );

  // Mail that arrived while looking is highlighted briefly, so new rows are noticed without a reload.
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const unsubscribe = live.subscribe((u) => {
      if (u.type !== 'created') return;
      const id = u.message.ID;
      setFresh((f) => new Set(f).add(id));
      const t = setTimeout(() => {
        timers.delete(t);
        setFresh((f) => {
          const next = new Set(f);
          next.delete(id);
          return next;
        });
      }, FRESH_MS);
      timers.add(t);
    });
    return () => {
      unsubscribe();
      for (const t of timers) clearTimeout(t);
    };
  }, [live]);

  const total = pages.total ?? 0;
  // A search the server cannot read is the user's to fix, shown under the box; a retry would not help.
  const searchError =
    query && pages.error instanceof ApiError && pages.error.status === 400 ? pages.error : null;
  const offline = pages.error instanceof ApiError && pages.error.status === 0;
  // Where the open mail sits in the list, so j/k continue from it when it was opened by a link or a click.
  let selectedIndex = -1;
  if (selectedId)
    for (const [page, rows] of pages.loaded) {
      const i = rows.findIndex((r) => r.ID === selectedId);
      if (i >= 0) selectedIndex = page * PAGE_SIZE + i;
    }
  const targetIds = useCallback((): string[] => {
    const row = cursor >= 0 ? pages.rowAt(cursor) : undefined;
    return keyTargets(checked, selectedId, row?.ID ?? null);
  }, [checked, selectedId, cursor, pages]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (document.querySelector('.modal')) return;
      // Enter on a focused button or link is that control's own.
      if (e.key === 'Enter' && e.target instanceof Element && e.target.closest('button, a')) return;
      const move = listMove(e.key, { cursor, selected: selectedIndex, total });
      if (move) {
        e.preventDefault();
        setCursor(move.index);
        const row = move.open ? pages.rowAt(move.index) : undefined;
        if (row && row.ID !== selectedId) open(move.index, row.ID);
        return;
      }
      switch (e.key) {
        case 'x': {
          const row = pages.rowAt(cursor);
          if (row) setChecked((c) => toggled(c, row.ID));
          break;
        }
        case 'u': {
          const ids = targetIds();
          if (ids.length === 0) break;
          const row = [...pages.loaded.values()].flat().find((m) => m.ID === ids[0]);
          setRead.mutate({ ids, read: row ? !row.Read : true });
          break;
        }
        case 'Delete':
        case 'Backspace': {
          const ids = targetIds();
          if (ids.length) setPendingDelete({ ids, all: false });
          break;
        }
        case '/':
          e.preventDefault();
          searchRef.current?.focus();
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [cursor, selectedIndex, selectedId, total, pages, open, targetIds, setRead]);

  const confirmDelete = () => {
    if (!pendingDelete) return;
    const ids = pendingDelete.all ? [] : pendingDelete.ids;
    // The mail that follows the open one, as mail clients do: deleting from the keyboard goes on reading. The open
    // mail is left before it is deleted, so its pane does not ask for a mail that is gone.
    const leaving = pendingDelete.all || (selectedId !== null && ids.includes(selectedId));
    const next = leaving && !pendingDelete.all ? nextAfterDelete(ids) : undefined;
    for (const id of ids) deletedHere.current.add(id);
    if (next) open(next.index, next.id);
    else if (leaving) navigate(`/${search}`);
    del.mutate(
      { ids, query: pendingDelete.all ? query : '' },
      {
        onSuccess: () => {
          setPendingDelete(null);
          setChecked(new Set());
        },
      },
    );
  };

  /** The first row after the open mail that is not being deleted, else the nearest one before it. */
  const nextAfterDelete = (ids: readonly string[]): { index: number; id: string } | undefined => {
    if (selectedIndex < 0) return undefined;
    const gone = new Set(ids);
    const remaining = (i: number) => {
      const r = pages.rowAt(i);
      return r && !gone.has(r.ID) ? r : undefined;
    };
    let removedBefore = 0;
    for (let i = 0; i < selectedIndex; i++)
      if (pages.rowAt(i) && gone.has(pages.rowAt(i)!.ID)) removedBefore++;
    for (let i = selectedIndex + 1; i < total; i++) {
      const r = remaining(i);
      if (r) return { index: i - removedBefore - 1, id: r.ID };
      if (!pages.rowAt(i)) break;
    }
    for (let i = selectedIndex - 1; i >= 0; i--) {
      const r = remaining(i);
      if (r) return { index: i - removedBefore, id: r.ID };
    }
    return undefined;
  };

  const loadedIds = [...pages.loaded.values()].flat().map((m) => m.ID);
  const allChecked = loadedIds.length > 0 && loadedIds.every((id) => checked.has(id));
  const selection = checked.size > 0 ? [...checked] : selectedId ? [selectedId] : [];
  // On an inbox's page moved mail leaves the list: the selection goes, and so does the open mail if it moved.
  const movedAway = () => {
    if (CURRENT_INBOX === undefined) return;
    setChecked(new Set());
    if (selectedId && selection.includes(selectedId)) navigate(`/${search}`);
  };

  return (
    <div className={selectedId ? 'inbox inbox-open' : 'inbox'}>
      <section className="list-pane" aria-label="Mail list">
        <SearchBar
          ref={searchRef}
          query={query}
          onChange={setQuery}
          error={
            searchError
              ? errorMessage(searchError)
                  .replace(/ \(\/api\/v1\/[^)]*\)$/, '')
                  .replace(/^400 /, '')
              : null
          }
        />
        <div className="toolbar">
          <label className="toolbar-check" title="Select the loaded mails">
            <input
              type="checkbox"
              checked={allChecked}
              aria-label="Select all loaded"
              onChange={() => setChecked(allChecked ? new Set() : new Set(loadedIds))}
            />
          </label>
          <span className="toolbar-count" data-testid="list-count">
            {pages.total === null
              ? '…'
              : checked.size > 0
                ? `${checked.size} selected`
                : `${pages.total.toLocaleString('en')} ${query ? 'found' : pages.total === 1 ? 'mail' : 'mails'}`}
          </span>
          <span className="toolbar-spacer" />
          <button
            type="button"
            className="btn btn-small"
            disabled={selection.length === 0 || setRead.isPending}
            onClick={() => setRead.mutate({ ids: selection, read: true })}
          >
            Read
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={selection.length === 0 || setRead.isPending}
            onClick={() => setRead.mutate({ ids: selection, read: false })}
          >
            Unread
          </button>
          {/* The open mail has its own "Move to…"; here, for the mails checked in the list. */}
          {checked.size > 0 && <MoveMenu ids={selection} label="Move" onMoved={movedAway} />}
          <button
            type="button"
            className="btn btn-small"
            disabled={selection.length === 0}
            onClick={() => setPendingDelete({ ids: selection, all: false })}
          >
            Delete
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost-danger"
            disabled={!pages.total}
            onClick={() => setPendingDelete({ ids: [], all: true })}
            title={query ? 'Delete every mail this search matches' : 'Delete every mail'}
          >
            {query ? 'Delete found' : 'Delete all'}
          </button>
        </div>
        {setRead.isError && <ErrorNotice title="Could not change the read state" error={setRead.error} />}
        {pages.error && !searchError ? (
          <ErrorNotice
            error={pages.error}
            onRetry={pages.refetch}
            title={offline ? 'Offline: the server does not answer' : 'Could not load the mail list'}
          />
        ) : null}
        {pages.total === 0 ? (
          <EmptyInbox searching={query !== ''} />
        ) : (
          <MessageList
            pages={pages}
            selectedId={selectedId}
            cursor={cursor}
            checked={checked}
            fresh={fresh}
            onOpen={open}
            onToggleCheck={(id) => setChecked((c) => toggled(c, id))}
          />
        )}
      </section>
      <section className="message-pane" aria-label="Mail">
        {selectedId ? (
          <MessageView
            key={selectedId}
            id={selectedId}
            onDelete={() => setPendingDelete({ ids: [selectedId], all: false })}
            onMoved={() => CURRENT_INBOX !== undefined && navigate(`/${search}`)}
            onBack={() => navigate(`/${search}`)}
          />
        ) : (
          <EmptyMessagePane hasMail={Boolean(pages.total)} />
        )}
      </section>
      {pendingDelete && (
        <ConfirmDialog
          title={
            pendingDelete.all ? (query ? 'Delete every mail found?' : 'Delete all mail?') : 'Delete mail?'
          }
          message={
            <>
              <p>
                {pendingDelete.all
                  ? query
                    ? `All ${pages.total?.toLocaleString('en') ?? ''} mails matching “${query}” will be deleted, with their tracking events.`
                    : `All ${pages.total?.toLocaleString('en') ?? ''} mails will be deleted, with their tracking events.`
                  : `${pendingDelete.ids.length === 1 ? 'This mail' : `${pendingDelete.ids.length} mails`} will be deleted, with ${pendingDelete.ids.length === 1 ? 'its' : 'their'} tracking events.`}
              </p>
              {del.isError && <ErrorNotice title="Not deleted" error={del.error} />}
            </>
          }
          confirmLabel="Delete"
          danger
          busy={del.isPending}
          onConfirm={confirmDelete}
          onCancel={() => {
            del.reset();
            setPendingDelete(null);
          }}
        />
      )}
    </div>
  );
}

function toggled(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}
