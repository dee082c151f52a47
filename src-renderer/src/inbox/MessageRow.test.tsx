// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { emptyCounts } from '../../../src-main/wire/types';
import { summary } from '../../../test/fixtures/summaries';
import { MessageRow } from './MessageRow';
import { SearchBar } from './SearchBar';

afterEach(cleanup);

const message = summary('m1', {
  MessageID: 'x@acme.test',
  From: { Name: 'Acme Shop', Address: 'shop@acme.test' },
  To: [{ Name: '', Address: 'ann@example.org' }],
  Subject: 'Welcome to Acme',
  Created: new Date().toISOString(),
  Size: 1200,
  Attachments: 2,
  Snippet: 'Hi Ann, thanks for signing up',
  Tracking: {
    opens: 3,
    uniqueOpens: 1,
    clicks: 1,
    uniqueClicks: 1,
    unsubscribed: true,
    machine: { opens: 2, clicks: 0 },
    recipients: {
      opens: 3,
      uniqueOpens: 1,
      clicks: 1,
      uniqueClicks: 1,
      unsubscribed: true,
      machine: { opens: 2, clicks: 0 },
    },
    preview: { opens: 1, clicks: 0, unsubscribed: false },
  },
});

describe('message row', () => {
  it('shows sender, subject, snippet, unread and attachment marks and tracking badges', () => {
    render(
      <MessageRow
        message={message}
        selected={false}
        cursor={false}
        checked={false}
        onOpen={() => {}}
        onToggleCheck={() => {}}
      />,
    );
    const row = screen.getByTestId('message-row');
    expect(row.textContent).toContain('Acme Shop');
    expect(row.textContent).toContain('Welcome to Acme');
    expect(row.textContent).toContain('Hi Ann, thanks');
    expect(row.className).toContain('row-unread');
    expect(screen.getByTitle('Unread')).toBeTruthy();
    expect(screen.getByTitle('2 attachments')).toBeTruthy();
    expect(
      screen.getByTitle('Opened 3× by people (1 unique): recipients · not counted: 2 proxy, 1 your preview')
        .textContent,
    ).toContain('3');
    expect(
      screen.getByTitle(
        'Clicked 1× by people (1 unique): recipients · not counted: 0 scanner, 0 your preview',
      ).textContent,
    ).toContain('1');
    expect(screen.getByText('unsubscribed')).toBeTruthy();
  });

  it('shows the recipient beside the sender, and tags as chips', () => {
    render(
      <MessageRow
        message={{
          ...message,
          To: [{ Name: 'Ann Example', Address: 'ann@example.org' }],
          Cc: [{ Name: '', Address: 'bob@example.org' }],
          Tags: ['signup', 'eu'],
        }}
        selected={false}
        cursor={false}
        checked={false}
        onOpen={() => {}}
        onToggleCheck={() => {}}
      />,
    );
    const row = screen.getByTestId('message-row');
    expect(row.querySelector('.row-to')?.textContent).toBe('→ Ann Example +1');
    expect([...row.querySelectorAll('.tag-chip')].map((c) => c.textContent)).toEqual(['signup', 'eu']);
  });

  it('shows no open badge for a mail nothing opened (a plain-text mail cannot be)', () => {
    render(
      <MessageRow
        message={{
          ...message,
          Tracking: emptyCounts(),
        }}
        selected={false}
        cursor={false}
        checked={false}
        onOpen={() => {}}
        onToggleCheck={() => {}}
      />,
    );
    expect(screen.queryByTitle(/^Opened/)).toBeNull();
    expect(screen.queryByTitle(/^Clicked/)).toBeNull();
  });

  it('opens on click but only toggles the selection from its checkbox', () => {
    let opened = 0;
    let toggled = 0;
    render(
      <MessageRow
        message={{ ...message, Read: true, Attachments: 0 }}
        selected
        cursor={false}
        checked={false}
        onOpen={() => opened++}
        onToggleCheck={() => toggled++}
      />,
    );
    fireEvent.click(screen.getByLabelText('Select'));
    expect([opened, toggled]).toEqual([0, 1]);
    fireEvent.click(screen.getByText('Welcome to Acme'));
    expect(opened).toBe(1);
    expect(screen.queryByTitle('Unread')).toBeNull();
    expect(screen.getByTestId('message-row').getAttribute('aria-selected')).toBe('true');
  });
});

describe('search bar chips', () => {
  it('turns a chip into a query term right away, keeping what was typed', () => {
    const queries: string[] = [];
    render(<SearchBar query="from:shop@acme.test" onChange={(q) => queries.push(q)} />);
    fireEvent.click(screen.getByRole('button', { name: 'Not opened' }));
    expect(queries).toEqual(['from:shop@acme.test -is:opened']);
    expect(screen.getByRole('button', { name: 'Not opened' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('searches on Enter without waiting for the debounce', () => {
    const queries: string[] = [];
    render(<SearchBar query="" onChange={(q) => queries.push(q)} />);
    const box = screen.getByLabelText('Search');
    fireEvent.change(box, { target: { value: '  subject:"invoice 12"  ' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(queries).toEqual(['subject:"invoice 12"']);
  });
});
