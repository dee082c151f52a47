// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { SmtpTlsSettings, type SmtpTlsPrefs } from './SmtpTlsSettings';

afterEach(() => {
  cleanup();
  delete (window as unknown as { mailbeacon?: unknown }).mailbeacon;
});

const DEFAULTS = { dataDir: '/data', smtpTls: false, smtpRequireTls: false, addresses: {} };

describe('SMTP TLS settings', () => {
  it('says STARTTLS is off by default, and names the flags in a browser', () => {
    render(<SmtpTlsSettings settings={DEFAULTS} />);
    expect(screen.getByText(/^off: every client delivers/)).toBeTruthy();
    expect(screen.getByText('accepted')).toBeTruthy();
    expect(screen.getByText('--smtp-require-tls')).toBeTruthy();
  });

  it('shows the running certificate, the 530 rule and the SMTPS listener', () => {
    render(
      <SmtpTlsSettings
        settings={{
          ...DEFAULTS,
          smtpTls: true,
          smtpRequireTls: true,
          addresses: { smtps: '127.0.0.1:1465' },
        }}
      />,
    );
    expect(screen.getByText('on, self-signed, /data/smtp-tls.crt')).toBeTruthy();
    expect(screen.getByText('refused with 530 before STARTTLS')).toBeTruthy();
    expect(screen.getByText('127.0.0.1:1465')).toBeTruthy();
  });

  it('in the desktop window, saves the choices and shows why the main process refused some', async () => {
    let saved: SmtpTlsPrefs = { starttls: 'off', certFile: '', keyFile: '', requireTls: false, smtps: '' };
    (window as unknown as { mailbeacon: unknown }).mailbeacon = {
      getSmtpTlsPrefs: async () => saved,
      setSmtpTlsPrefs: async (prefs: SmtpTlsPrefs) => {
        if (prefs.smtps === 'nowhere') throw new Error('[smtp] --smtps: "nowhere" is not ADDR:PORT');
        return (saved = prefs);
      },
    };
    render(<SmtpTlsSettings settings={DEFAULTS} />);
    const requireTls = await screen.findByRole('checkbox');
    expect((requireTls as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(screen.getByLabelText('On, with a self-signed certificate'));
    fireEvent.click(screen.getByRole('checkbox'));
    const smtps = screen.getByPlaceholderText('127.0.0.1:1465');
    fireEvent.change(smtps, { target: { value: 'nowhere' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toContain('"nowhere" is not ADDR:PORT');
    fireEvent.change(smtps, { target: { value: '127.0.0.1:1465' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/Saved: used from the next start/);
    await waitFor(() =>
      expect(saved).toEqual({
        starttls: 'self-signed',
        certFile: '',
        keyFile: '',
        requireTls: true,
        smtps: '127.0.0.1:1465',
      }),
    );
  });
});
