export { OPT_OUT_HEADER, TrackingInjector, withoutOptOutHeader } from './injector.js';
export type { InjectContext, InjectResult, TrackingInjectorOptions, TrackingRule } from './injector.js';
export { OPT_OUT_ATTRIBUTES, UNSUBSCRIBE_PLACEHOLDER } from './links.js';
