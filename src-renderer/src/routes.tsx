import { Navigate, type RouteObject } from 'react-router';
import { AppLayout } from './layout/AppLayout';
import { InboxPage } from './inbox/InboxPage';
import { EventsPage } from './events/EventsPage';
import { RelayPage } from './relay/RelayPage';
import { SettingsPage } from './settings/SettingsPage';
import { InboxSettingsPage } from './inboxes/InboxSettingsPage';

export const routes: RouteObject[] = [
  {
    path: '/',
    element: <AppLayout />,
    children: [
      { index: true, element: <InboxPage /> },
      { path: 'message/:id', element: <InboxPage /> },
      { path: 'events', element: <EventsPage /> },
      { path: 'relay', element: <RelayPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: 'inbox-settings', element: <InboxSettingsPage /> },
      { path: '*', element: <Navigate to="/" replace /> },
    ],
  },
];
