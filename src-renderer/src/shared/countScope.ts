// The "real recipients only" switch: one choice for every figure the UI shows (badges, cards, charts, filters),
// kept across sessions.
import { useSyncExternalStore } from 'react';
import type { CountScope, HitCounts, TrackingCounts } from '../../../src-main/wire/types';

const STORAGE_KEY = 'mailbeacon.countScope';
const listeners = new Set<() => void>();

function read(): CountScope {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'recipients' ? 'recipients' : 'with-simulated';
  } catch {
    return 'with-simulated';
  }
}

let current: CountScope = read();

export function setCountScope(scope: CountScope): void {
  current = scope;
  try {
    if (scope === 'recipients') localStorage.setItem(STORAGE_KEY, scope);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // private mode: the choice lasts for this page only
  }
  for (const l of listeners) l();
}

export function useCountScope(): CountScope {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}

/** A mail's figures under the scope. */
export function countsIn(counts: TrackingCounts, scope: CountScope): HitCounts {
  return scope === 'recipients' ? (counts.recipients ?? counts) : counts;
}

/** Whose hits a figure holds, in words: "simulated", "recipients", "recipients + simulated". */
export function sourceLabel(recipient: number, simulated: number): string {
  if (recipient > 0 && simulated > 0) return 'recipients + simulated';
  if (simulated > 0) return 'simulated';
  if (recipient > 0) return 'recipients';
  return '';
}
