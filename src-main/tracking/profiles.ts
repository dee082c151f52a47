// The recipients Mailbeacon can simulate: names and what each sends. Plain data, shared by the settings, the API,
// the CLI and the UI (docs/TRACKING.md lists them).

export const SIMULATE_PROFILES = [
  'human-open',
  'human-click',
  'apple-mpp',
  'gmail-proxy',
  'safe-links',
  'unsubscribe-one-click',
  'inbox-journey',
] as const;

export type SimulateProfile = (typeof SIMULATE_PROFILES)[number];

/** The mail clients `human-open` can be (`client` option); Gmail on the web always fetches through its proxy. */
export const HUMAN_CLIENTS = ['outlook-desktop', 'apple-mail', 'ios-mail', 'thunderbird'] as const;
export type HumanClient = (typeof HUMAN_CLIENTS)[number];

export const PROFILE_HELP: Record<SimulateProfile, string> = {
  'human-open': 'a person opens the mail in a desktop or mobile client (client option)',
  'human-click': 'a person clicks a link (link option, else the first) in a browser',
  'apple-mpp': "Apple Mail Privacy Protection fetches the pixel through Apple's proxy",
  'gmail-proxy': "Gmail's GoogleImageProxy fetches the pixel",
  'safe-links': 'a link scanner (Defender Safe Links) fetches every link right after delivery',
  'unsubscribe-one-click': 'the mailbox provider sends the RFC 8058 one-click POST',
  'inbox-journey': 'delivery, proxy prefetch, a human open, a click, sometimes an unsubscribe, over time',
};

/** Real user agents of the imitated clients. */
export const USER_AGENTS = {
  'outlook-desktop': 'Mozilla/4.0 (compatible; ms-office; MSOffice 16)',
  'apple-mail': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  'ios-mail':
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  thunderbird: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.9.0',
  browser:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  appleProxy: 'Mozilla/5.0',
  googleProxy: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
} as const;

/**
 * Addresses the simulated clients come from: a person's from a documentation range (TEST-NET-3), the machines'
 * from the networks that really run them (Apple 17/8, Google's image proxy, Exchange Online Protection, Google's
 * mail servers for the one-click POST).
 */
export const ADDRESSES = {
  person: '203.0.113.25',
  appleProxy: '17.58.63.10',
  googleProxy: '66.249.84.10',
  safeLinks: '40.107.22.10',
  mailProvider: '209.85.220.41',
} as const;
