import { systemClock } from '../logger.js';
import { TrackingInjector, type TrackingRule } from '../tracking/inject/injector.js';
import { TokenCodec, type TokenMode } from '../tracking/token.js';

/** What a tracking injector is built from: plain data, since functions and classes cannot cross threads. */
export interface InjectorSettings {
  enabled: boolean;
  trackText: boolean;
  rules: TrackingRule[];
  tokenMode: TokenMode;
  /** The key ring, the first key minting. */
  keys: Uint8Array[];
}

/** The injector those settings describe; `trackingBase` is read per mail. */
export function injectorFrom(settings: InjectorSettings, trackingBase: () => string): TrackingInjector {
  return new TrackingInjector({
    codec: new TokenCodec({ mode: settings.tokenMode, keys: settings.keys.map((k) => Buffer.from(k)) }),
    trackingBase,
    trackText: settings.trackText,
    enabled: settings.enabled,
    rules: settings.rules,
    clock: systemClock,
  });
}
