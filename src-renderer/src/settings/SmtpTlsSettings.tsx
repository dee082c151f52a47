import { useEffect, useState } from 'react';

/** The desktop app's TLS choices, as the preload hands them over (the same flags `serve` takes). */
export interface SmtpTlsPrefs {
  starttls: 'off' | 'self-signed' | 'certificate';
  certFile: string;
  keyFile: string;
  requireTls: boolean;
  smtps: string;
}

interface TlsBridge {
  getSmtpTlsPrefs(): Promise<SmtpTlsPrefs>;
  setSmtpTlsPrefs(prefs: SmtpTlsPrefs): Promise<SmtpTlsPrefs>;
}

/** The desktop window's bridge, when this page runs in it; a browser has none. */
function desktopBridge(): TlsBridge | null {
  const bridge = (window as unknown as { mailbeacon?: Partial<TlsBridge> }).mailbeacon;
  return bridge?.getSmtpTlsPrefs && bridge.setSmtpTlsPrefs ? (bridge as TlsBridge) : null;
}

/** How the running listener speaks TLS, read from the effective settings. */
export function describeSmtpTls(settings: Record<string, unknown>): {
  starttls: string;
  requireTls: string;
  smtps: string;
} {
  const cert = typeof settings.smtpTlsCert === 'string' ? settings.smtpTlsCert : '';
  const addresses = (settings.addresses ?? {}) as { smtps?: string };
  const dataDir = typeof settings.dataDir === 'string' ? settings.dataDir : '';
  const selfSigned =
    dataDir === ':memory:' ? 'self-signed (in memory)' : `self-signed, ${dataDir}/smtp-tls.crt`;
  return {
    starttls: cert
      ? `on, your certificate ${cert}`
      : settings.smtpTls
        ? `on, ${selfSigned}`
        : 'off: every client delivers with its default settings',
    requireTls: settings.smtpRequireTls ? 'refused with 530 before STARTTLS' : 'accepted',
    smtps: addresses.smtps ?? 'off',
  };
}

/** The SMTP listener's TLS: what runs now, and in the desktop app the choices for the next start. */
export function SmtpTlsSettings({ settings }: { settings: Record<string, unknown> | undefined }) {
  const bridge = desktopBridge();
  const now = settings && describeSmtpTls(settings);
  return (
    <div data-testid="smtp-tls">
      {now && (
        <table className="table kv">
          <tbody>
            <tr>
              <th>STARTTLS</th>
              <td>{now.starttls}</td>
            </tr>
            <tr>
              <th>Mail without TLS</th>
              <td>{now.requireTls}</td>
            </tr>
            <tr>
              <th>SMTPS (implicit TLS)</th>
              <td>
                <code>{now.smtps}</code>
              </td>
            </tr>
          </tbody>
        </table>
      )}
      {bridge ? (
        <TlsChoices bridge={bridge} />
      ) : (
        <p className="muted">
          Change with <code>--smtp-tls</code> (self-signed),{' '}
          <code>--smtp-tls-cert FILE --smtp-tls-key FILE</code>, <code>--smtp-require-tls</code> and{' '}
          <code>--smtps ADDR:PORT</code>.
        </p>
      )}
    </div>
  );
}

function TlsChoices({ bridge }: { bridge: TlsBridge }) {
  const [prefs, setPrefs] = useState<SmtpTlsPrefs | null>(null);
  const [status, setStatus] = useState<{ error?: string; saved?: boolean }>({});
  useEffect(() => {
    void bridge.getSmtpTlsPrefs().then(setPrefs);
  }, [bridge]);
  if (!prefs) return null;
  const change = (next: Partial<SmtpTlsPrefs>) => {
    setPrefs({ ...prefs, ...next });
    setStatus({});
  };
  const save = async () => {
    try {
      setPrefs(await bridge.setSmtpTlsPrefs(prefs));
      setStatus({ saved: true });
    } catch (err) {
      // Electron prefixes the main process's message; the reason is what follows it.
      setStatus({
        error: String((err as Error).message).replace(
          /^Error invoking remote method '[^']*': (Error: )?/,
          '',
        ),
      });
    }
  };
  const starttls: [SmtpTlsPrefs['starttls'], string][] = [
    ['off', 'Off (every client delivers with its defaults)'],
    ['self-signed', 'On, with a self-signed certificate'],
    ['certificate', 'On, with my certificate'],
  ];
  return (
    <form
      className="tls-choices"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <fieldset>
        <legend>STARTTLS</legend>
        {starttls.map(([value, label]) => (
          <label key={value} className="toggle">
            <input
              type="radio"
              name="starttls"
              value={value}
              checked={prefs.starttls === value}
              onChange={() => change({ starttls: value, ...(value === 'off' && { requireTls: false }) })}
            />
            {label}
          </label>
        ))}
        {prefs.starttls === 'certificate' && (
          <>
            <label className="field">
              Certificate (PEM file)
              <input
                type="text"
                value={prefs.certFile}
                onChange={(e) => change({ certFile: e.target.value })}
              />
            </label>
            <label className="field">
              Private key (PEM file)
              <input
                type="text"
                value={prefs.keyFile}
                onChange={(e) => change({ keyFile: e.target.value })}
              />
            </label>
          </>
        )}
      </fieldset>
      <label className="toggle">
        <input
          type="checkbox"
          checked={prefs.requireTls}
          disabled={prefs.starttls === 'off'}
          onChange={(e) => change({ requireTls: e.target.checked })}
        />
        Refuse mail sent before STARTTLS (530), to test an app&apos;s TLS path
      </label>
      <label className="field">
        SMTPS listener (implicit TLS, like port 465), empty for none
        <input
          type="text"
          placeholder="127.0.0.1:1465"
          value={prefs.smtps}
          onChange={(e) => change({ smtps: e.target.value })}
        />
      </label>
      <div className="tls-actions">
        <button type="submit" className="btn btn-small">
          Save
        </button>
        {status.saved && <span className="muted">Saved: used from the next start of Mailbeacon.</span>}
      </div>
      {status.error && (
        <p className="field-error" role="alert">
          {status.error}
        </p>
      )}
    </form>
  );
}
