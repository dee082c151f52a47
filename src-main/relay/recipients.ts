/** Which recipients a mail may be relayed to: the rules of `--relay-all`, `--relay-matching`, `--relay-allow`, `--relay-block` and `--relay-to`. */
export interface RecipientRules {
  all: boolean;
  matching?: RegExp;
  allow?: RegExp;
  block?: RegExp;
  to?: string;
}

const normalize = (address: string) => address.trim().toLowerCase();

/** A global or sticky RegExp keeps lastIndex between calls; test on a fresh copy so one address never affects the next. */
const matches = (re: RegExp, address: string) =>
  new RegExp(re.source, re.flags.replace(/[gy]/g, '')).test(address);

/** Recipients that may ever be relayed: allowed (when an allow list is set) and not blocked. */
export function permitted(rules: RecipientRules, recipients: string[]): string[] {
  const out: string[] = [];
  for (const raw of recipients) {
    const address = normalize(raw);
    if (!address || out.includes(address)) continue;
    if (rules.allow && !matches(rules.allow, address)) continue;
    if (rules.block && matches(rules.block, address)) continue;
    out.push(address);
  }
  return out;
}

/**
 * Recipients a caught mail is relayed to on its own, or none. Auto-relay needs --relay-all or a --relay-matching hit;
 * the allow/block lists are applied next; --relay-to then replaces whoever is left (so a mail nobody may receive is
 * not sent to the --relay-to address either).
 */
export function autoRecipients(rules: RecipientRules, recipients: string[]): string[] {
  if (!rules.all && !rules.matching) return [];
  const chosen = rules.all ? recipients : recipients.filter((r) => matches(rules.matching!, normalize(r)));
  return finalRecipients(rules, permitted(rules, chosen));
}

/** The recipients of a manual release: the requested ones that are permitted, replaced by --relay-to when set. */
export function releaseRecipients(rules: RecipientRules, requested: string[]): string[] {
  return finalRecipients(rules, permitted(rules, requested));
}

function finalRecipients(rules: RecipientRules, allowed: string[]): string[] {
  if (!allowed.length) return [];
  return rules.to ? [normalize(rules.to)] : allowed;
}
