import type { Address } from '../../../src-main/wire/types';

/** The name when there is one, the address otherwise: what a list row has room for. */
export function displayName(a: Address | null | undefined): string {
  if (!a) return '(no sender)';
  return a.Name?.trim() || a.Address || '(no sender)';
}

/** "Ann <ann@example.org>" for headers, where the full address matters. */
export function fullAddress(a: Address): string {
  return a.Name?.trim() ? `${a.Name} <${a.Address}>` : a.Address;
}

export function addressList(list: Address[] | null | undefined): string {
  return (list ?? []).map(fullAddress).join(', ');
}
