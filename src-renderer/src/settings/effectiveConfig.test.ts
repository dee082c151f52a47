import { describe, expect, it } from 'vitest';
import { configRows, flagName, formatDuration } from './effectiveConfig';

describe('the effective configuration as the flags take it', () => {
  it('writes milliseconds as durations in the largest exact unit', () => {
    expect([10_000, 600_000, 7 * 86_400_000, 90_000, 1_500, 3_600_000].map(formatDuration)).toEqual([
      '10s',
      '10m',
      '7d',
      '90s',
      '1500ms',
      '1h',
    ]);
  });

  it('names each setting by its flag', () => {
    expect(flagName('smtpDataTimeout')).toBe('--smtp-data-timeout');
    expect(flagName('smtp')).toBe('--smtp');
  });

  it('shows listeners as host:port, the bound port for port 0, and durations as flags take them', () => {
    const rows = configRows({
      smtp: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 8025 },
      smtpDataTimeout: 600_000,
      maxAge: 7 * 86_400_000,
      relayRetries: [10_000, 60_000, 300_000],
      maxMessages: 10_000,
      tag: [],
      addresses: { smtp: '127.0.0.1:1025', http: 'http://127.0.0.1:8025' },
    });
    expect(rows).toEqual([
      { flag: '--smtp', value: '127.0.0.1:1025', note: 'asked for 127.0.0.1:0, any free port' },
      { flag: '--http', value: '127.0.0.1:8025' },
      { flag: '--smtp-data-timeout', value: '10m' },
      { flag: '--max-age', value: '7d' },
      { flag: '--relay-retries', value: '10s,1m,5m' },
      { flag: '--max-messages', value: '10000' },
      { flag: '--tag', value: '—' },
    ]);
  });
});
