// A drop-down menu as the WAI-ARIA menu button pattern describes it: the button opens it with the first item
// focused, the arrows, Home and End move between items, Escape closes it and gives focus back to the button, a pick
// closes it, and so does a click anywhere else. A click inside the mail's preview lands in an iframe, which the
// document never sees: the window losing focus stands for it.
import {
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
  type ReactNode,
} from 'react';

export interface MenuItem {
  key: string;
  label: ReactNode;
  /** A line under the label on what the item does. */
  description?: ReactNode;
  disabled?: boolean;
  onSelect: () => void;
}

export function Menu({
  label,
  title,
  items,
  footer,
  className = 'btn btn-small',
  testId,
  align = 'right',
  disabled = false,
}: {
  label: ReactNode;
  title?: string;
  items: readonly MenuItem[];
  /** Options shown under the items (fields the items use); not items themselves. */
  footer?: ReactNode;
  className?: string;
  testId?: string;
  align?: 'left' | 'right';
  disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = useId();

  const itemEls = () =>
    Array.from(box.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]:not(:disabled)') ?? []);
  const close = useCallback((refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    itemEls()[0]?.focus();
    const onDown = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) close(false);
    };
    const onBlur = () => close(false);
    document.addEventListener('mousedown', onDown);
    window.addEventListener('blur', onBlur);
    return () => {
      document.removeEventListener('mousedown', onDown);
      window.removeEventListener('blur', onBlur);
    };
  }, [open, close]);

  const onKeyDown = (e: ReactKeyboardEvent) => {
    const els = itemEls();
    const at = els.indexOf(document.activeElement as HTMLButtonElement);
    const focus = (i: number) => els[(i + els.length) % els.length]?.focus();
    switch (e.key) {
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        close(true);
        return;
      case 'Tab':
        close(false);
        return;
    }
    // The arrows belong to a field in the footer while it has focus.
    if (at < 0 && (e.target as Element).closest('input, select')) return;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        focus(at + 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        focus(at < 0 ? -1 : at - 1);
        break;
      case 'Home':
        e.preventDefault();
        focus(0);
        break;
      case 'End':
        e.preventDefault();
        focus(-1);
        break;
    }
  };

  return (
    <div ref={box} className="menu-box" data-testid={testId} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        className={className}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
        title={title}
      >
        {label} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className={`menu menu-${align}`}>
          <div role="menu" id={menuId} aria-label={typeof label === 'string' ? label : title}>
            {items.map((item) => (
              <button
                key={item.key}
                type="button"
                role="menuitem"
                className="menu-item"
                disabled={item.disabled}
                tabIndex={-1}
                onClick={() => {
                  close(true);
                  item.onSelect();
                }}
              >
                <span className="menu-item-label">{item.label}</span>
                {item.description && <span className="menu-item-help">{item.description}</span>}
              </button>
            ))}
          </div>
          {footer && <div className="menu-footer">{footer}</div>}
        </div>
      )}
    </div>
  );
}
