// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { ConfirmDialog, Modal } from './Modal';

afterEach(cleanup);

function confirm(busy = false) {
  const calls: string[] = [];
  render(
    <ConfirmDialog
      title="Delete mail?"
      message={<p>This mail will be deleted.</p>}
      confirmLabel="Delete"
      danger
      busy={busy}
      onConfirm={() => calls.push('confirm')}
      onCancel={() => calls.push('cancel')}
    />,
  );
  return calls;
}

describe('confirmation dialog', () => {
  it('focuses the confirm button, not Cancel, so Enter confirms', () => {
    const calls = confirm();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.keyDown(document.body, { key: 'Enter' });
    expect(calls).toEqual(['confirm']);
  });

  it('leaves Enter on Cancel to Cancel, and Escape cancels', () => {
    const calls = confirm();
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    cancel.focus();
    fireEvent.keyDown(cancel, { key: 'Enter' });
    expect(calls).toEqual([]);
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(calls).toEqual(['cancel']);
  });

  it('does not confirm twice while busy', () => {
    const calls = confirm(true);
    fireEvent.keyDown(document.body, { key: 'Enter' });
    expect(calls).toEqual([]);
  });
});

describe('modal focus', () => {
  it('prefers data-autofocus over earlier fields and buttons', () => {
    render(
      <Modal title="Release" onClose={() => {}}>
        <button type="button">First</button>
        <input aria-label="Recipients" />
        <input aria-label="Note" data-autofocus />
      </Modal>,
    );
    expect(document.activeElement).toBe(screen.getByLabelText('Note'));
  });

  it('falls back to the first field, then to the primary button', () => {
    render(
      <Modal title="Form" onClose={() => {}}>
        <button type="button">Other</button>
        <input aria-label="Field" />
      </Modal>,
    );
    expect(document.activeElement).toBe(screen.getByLabelText('Field'));
    cleanup();
    render(
      <Modal title="Buttons" onClose={() => {}}>
        <button type="button">Other</button>
        <button type="button" className="btn btn-primary">
          Go
        </button>
      </Modal>,
    );
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Go' }));
  });
});
