import { describe, expect, it } from 'vitest';
import { configValue } from './relayConfig';

describe('relay configuration line', () => {
  it('reads a retry schedule in human units', () => {
    expect(configValue('retries', [10_000, 60_000, 300_000, 1_800_000, 7_200_000, 28_800_000])).toBe(
      '10s, 1m, 5m, 30m, 2h, 8h',
    );
    expect(configValue('retries', [1500])).toBe('2s');
  });

  it('shows other values as they are', () => {
    expect(configValue('to', 'qa@example.org')).toBe('qa@example.org');
    expect(configValue('dkim', { domain: 'acme.test', selector: 's1' })).toBe(
      '{"domain":"acme.test","selector":"s1"}',
    );
    expect(configValue('all', true)).toBe('true');
  });
});
