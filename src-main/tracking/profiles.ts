// What the simulated recipients send (their names are wire types, in api/types.ts): the user agents and addresses of
// the clients they imitate. docs/TRACKING.md lists them.

export {
  HUMAN_CLIENTS,
  PROFILE_HELP,
  SIMULATE_PROFILES,
  type HumanClient,
  type SimulateProfile,
} from '../api/types.js';

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
