// The message view's tabs as data: a feature adds its tab by adding an entry here, and the tab bar, the URL
// (?tab=id) and the keyboard follow.
import type { ReactNode } from 'react';
import type { Message } from '../../../src-main/wire/types';
import { PreviewTab } from './PreviewTab';
import { TrackingTab } from './TrackingTab';
import { EventsTab } from './EventsTab';
import { HtmlSourceTab } from './HtmlSourceTab';
import { TextTab } from './TextTab';
import { HeadersTab } from './HeadersTab';
import { RawTab } from './RawTab';
import { AttachmentsTab } from './AttachmentsTab';
import { RelayTab } from './RelayTab';
import { ChecksTab } from './ChecksTab';

export interface MessageTabContext {
  message: Message;
  id: string;
  /** Opens the release dialog. */
  release: () => void;
}

export interface MessageTab {
  /** In the URL as ?tab=id; the first tab is the default and leaves the URL bare. */
  id: string;
  label: (m: Message) => string;
  render: (ctx: MessageTabContext) => ReactNode;
}

const attachmentCount = (m: Message): number => (m.Attachments?.length ?? 0) + (m.Inline?.length ?? 0);

export const MESSAGE_TABS: readonly MessageTab[] = [
  { id: 'preview', label: () => 'Preview', render: ({ message }) => <PreviewTab message={message} /> },
  { id: 'tracking', label: () => 'Tracking', render: ({ message }) => <TrackingTab message={message} /> },
  { id: 'events', label: () => 'Events', render: ({ id }) => <EventsTab id={id} /> },
  { id: 'html', label: () => 'HTML', render: ({ message }) => <HtmlSourceTab message={message} /> },
  { id: 'text', label: () => 'Text', render: ({ message }) => <TextTab text={message.Text} /> },
  { id: 'headers', label: () => 'Headers', render: ({ id }) => <HeadersTab id={id} /> },
  { id: 'raw', label: () => 'Raw', render: ({ id }) => <RawTab id={id} /> },
  {
    id: 'attachments',
    label: (m) => `Attachments${attachmentCount(m) ? ` (${attachmentCount(m)})` : ''}`,
    render: ({ message }) => <AttachmentsTab message={message} />,
  },
  {
    id: 'relay',
    label: () => 'Relay',
    render: ({ message, release }) => <RelayTab message={message} onRelease={release} />,
  },
  { id: 'checks', label: () => 'Checks', render: ({ message }) => <ChecksTab message={message} /> },
];
