import { cleanTags, summaryOfNew, type NewMessage } from '../store/message-rows.js';
import { matchesMail } from '../search/match.js';
import { parseQuery, type Filter } from '../search/query.js';

export interface TaggingSettings {
  /** `--tag NAME=QUERY`: the mails a query matches get the tag. */
  rules: { tag: string; query: string }[];
  /** `--tags-plus-addresses`: `ann+billing@shop.test` tags the mail `billing`. */
  plusAddresses: boolean;
  /** `--tags-username`: the SMTP AUTH user becomes a tag. */
  username: boolean;
}

/** The tags `user+TAG@domain` recipients give a mail. */
function plusTags(addresses: string[]): string[] {
  const out: string[] = [];
  for (const address of addresses) {
    const m = /^[^@+]*\+([^@]+)@/.exec(address);
    if (m) out.push(m[1]!);
  }
  return out;
}

/**
 * The tags a new mail gets on ingest: its X-Tags header, then plus-addresses, the AUTH user and the rules (a rule
 * may test a tag given before it).
 */
export function tagger(settings: TaggingSettings): (message: NewMessage) => string[] {
  const rules: ParsedRule[] = settings.rules.map((r) => ({ tag: r.tag, filters: parseQuery(r.query) }));
  return (m) => {
    const tags = [...(m.tags ?? [])];
    if (settings.plusAddresses) {
      tags.push(...plusTags([...m.envelopeTo, ...[...m.to, ...m.cc, ...m.bcc].map((a) => a.Address)]));
    }
    if (settings.username && m.username) tags.push(m.username);
    if (rules.length) applyRules(rules, m, tags);
    return tags.length ? cleanTags(tags) : [];
  };
}

type ParsedRule = { tag: string; filters: Filter[] };

/** Adds the tags of the rules the mail matches to `tags` (a rule may test a tag given before it). */
function applyRules(rules: readonly ParsedRule[], m: NewMessage, tags: string[]): void {
  const addresses = [m.from, ...m.to, ...m.cc, ...m.bcc, ...m.replyTo]
    .filter((a) => !!a)
    .map((a) => `${a!.Name} ${a!.Address}`)
    .join(' ');
  // The list row the mail will have, with the tags given so far and the text a rule's free words look in.
  const candidate = {
    ...summaryOfNew(m),
    tags,
    inline: m.parts.filter((p) => p.inline).length,
    text: `${m.subject}\n${addresses}\n${m.searchText}`,
  };
  for (const rule of rules) if (matchesMail(rule.filters, candidate)) tags.push(rule.tag);
}

/**
 * An inbox's own tag rules (its TagRules setting): the mail's tags with those of the rules it matches, after the
 * flags' rules. Each list of rules is parsed once (the settings hold the same list until they change).
 */
export function inboxTagger(): (m: NewMessage, rules: readonly { tag: string; query: string }[]) => string[] {
  const parsed = new WeakMap<object, ParsedRule[]>();
  return (m, rules) => {
    if (!rules.length) return m.tags ?? [];
    let own = parsed.get(rules);
    if (!own) {
      // Checked when they were saved; a rule that no longer parses is left out rather than refuse the mail.
      own = rules.flatMap((r) => {
        try {
          return [{ tag: r.tag, filters: parseQuery(r.query) }];
        } catch {
          return [];
        }
      });
      parsed.set(rules, own);
    }
    const tags = [...(m.tags ?? [])];
    applyRules(own, m, tags);
    return cleanTags(tags);
  };
}
