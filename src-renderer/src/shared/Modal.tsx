import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal dialog: Escape and the backdrop close it, focus moves into it so the keyboard keeps working: onto the
 * element marked data-autofocus, else the first field, else the primary button. With onEnter, Enter outside a
 * text area or a button (which handle Enter themselves) runs it.
 */
export function Modal({
  title,
  onClose,
  onEnter,
  children,
  footer,
}: {
  title: string;
  onClose: () => void;
  onEnter?: () => void;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // Focus once, when the dialog opens: a parent re-rendering must not pull focus back from where the user put it.
  useEffect(() => {
    const el = ref.current;
    // One selector per step: a selector list would return whichever match comes first in the document.
    for (const selector of ['[data-autofocus]', 'input, textarea, select', 'button.btn-primary', 'button']) {
      const target = el?.querySelector<HTMLElement>(selector);
      if (target) {
        target.focus();
        break;
      }
    }
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      } else if (e.key === 'Enter' && onEnter) {
        const target = e.target instanceof Element ? e.target : null;
        if (target?.closest('textarea, button, a, select')) return;
        e.preventDefault();
        e.stopPropagation();
        onEnter();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose, onEnter]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={title} ref={ref}>
        <div className="modal-title">{title}</div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-footer">{footer}</div>}
      </div>
    </div>
  );
}

export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  danger,
  busy,
  onConfirm,
  onCancel,
}: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Modal
      title={title}
      onClose={onCancel}
      onEnter={busy ? undefined : onConfirm}
      footer={
        <>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button
            type="button"
            data-autofocus
            className={danger ? 'btn btn-danger' : 'btn btn-primary'}
            disabled={busy}
            onClick={onConfirm}
          >
            {confirmLabel}
          </button>
        </>
      }
    >
      {message}
    </Modal>
  );
}
