import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import { formatHostPort } from '../net/listen.js';
import { isLoopbackUrl, type HostRules } from '../net/host-check.js';
import type { HttpLimits } from '../net/http-limits.js';
import type { EventStore } from '../store/contract.js';
import type { MessageStore } from '../store/contract.js';
import { HitRecorder } from './hits.js';
import type { SimulateProfile } from './profiles.js';
import { SandboxMarker } from './sandbox-mark.js';
import { TrackingServer } from './server.js';
import { codecFromSettings, trackingBaseUrl } from './setup.js';
import { SimulateError, Simulator } from './simulate.js';
import { TrackingThread, defaultTrackingThread, type TrackingListener } from './thread.js';
import type { TokenCodec } from './token.js';
import type { SpawnWorker } from '../threads/spawn.js';

/** `--simulate inbox-journey` on every mail: a minute of the journey per second, so it is seen while testing. */
const AUTO_JOURNEY_COMPRESS = 60;

export interface TrackingDeps {
  store: MessageStore;
  events: EventStore;
  bus: EventBus;
  logger: Logger;
  clock: Clock;
  /** A clock given to the sandbox (tests drive time with one) cannot reach another thread: keep the listener here. */
  clockGiven: boolean;
  limits?: Partial<HttpLimits>;
  /** Starts the listener's thread (workers/tracking.ts). */
  spawn: SpawnWorker;
}

export interface Tracking {
  codec: TokenCodec;
  /** The key ring; the first key mints. */
  keys: Buffer[];
  /** The minting key's fingerprint, for /api/v1/info. */
  fingerprint: string;
  /** Marks Mailbeacon's own hits (preview, simulations); its key lives in this process only. */
  marker: SandboxMarker;
  simulator: Simulator;
  /** The public base of tracking links ('' until the listener is up). */
  base(): string;
  /** http://host:port of the listener itself ('' until it is up). */
  address(): string;
  /** Starts the tracking listener (on its thread by default) and `--simulate`. */
  listen(): Promise<void>;
  /** Stops simulations and the listener, then stores the last hits. */
  close(): Promise<void>;
}

/** The tracking side of a sandbox: codec and keys, marker, simulator, hit recorder and the listener. */
export function createTracking(settings: Settings, deps: TrackingDeps): Tracking {
  const { store, bus, clock } = deps;
  const log = deps.logger.child('tracking');
  const { codec, keys, fingerprint } = codecFromSettings(settings);
  let base = '';
  let address = '';
  let reachable = '';
  const marker = new SandboxMarker();
  const simulator = new Simulator({
    resolveId: async (id) => {
      const resolved = await store.resolveId(id);
      return resolved !== undefined && (await store.createdAt(resolved)) !== undefined ? resolved : undefined;
    },
    manifest: (id) => store.manifestJson(id),
    marker,
    listener: () => reachable,
    logger: deps.logger.child('simulate'),
    clock,
  });
  let recorder: HitRecorder | undefined;
  let listener: TrackingListener | undefined;

  const listen = async () => {
    const sink = (recorder = new HitRecorder({
      events: deps.events,
      bus,
      logger: log,
      deliveredAt: (id) => store.createdAt(id),
    }));
    // Links in mail reach a public tracking URL under any name; a loopback one answers only names of ours.
    const hostRules: HostRules = {
      allowedHosts: settings.allowedHosts,
      publicUrls: settings.trackingUrl ? [settings.trackingUrl] : [],
      anyHost: settings.trackingUrl !== undefined && !isLoopbackUrl(settings.trackingUrl),
    };
    const here = () =>
      new TrackingServer({
        codec,
        sink,
        logger: log,
        clock,
        allowHosts: settings.redirectAllow,
        sandboxKey: marker.key,
        trustedProxies: settings.trustedProxies,
        hostRules,
        limits: deps.limits,
      });
    listener =
      (settings.trackingThread ?? defaultTrackingThread()) && !deps.clockGiven
        ? new TrackingThread({
            mode: settings.tokenMode,
            keys,
            allowHosts: settings.redirectAllow,
            sandboxKey: marker.key,
            trustedProxies: settings.trustedProxies,
            hostRules,
            limits: deps.limits,
            sink,
            logger: log,
            inline: here,
            spawn: (workerData) => deps.spawn({ workerData }),
          })
        : here();
    const bound = await listener.listen(settings.tracking.host, settings.tracking.port);
    base = trackingBaseUrl(settings.trackingUrl, bound.host, bound.port);
    reachable = trackingBaseUrl(undefined, bound.host, bound.port);
    address = `http://${formatHostPort(bound.host, bound.port)}`;
    if (settings.simulate.length > 0) simulateEvery(simulator, settings.simulate, bus, deps.logger);
  };

  return {
    codec,
    keys,
    fingerprint,
    marker,
    simulator,
    base: () => base,
    address: () => address,
    listen,
    close: async () => {
      simulator.close();
      await listener?.close();
      await recorder?.flush(); // the last hits, stored and announced while the hub still listens
    },
  };
}

/** `--simulate`: the profiles run on every caught mail that has tracking; journeys a minute per second. */
function simulateEvery(
  simulator: Simulator,
  profiles: Settings['simulate'],
  bus: EventBus,
  logger: Logger,
): void {
  const log = logger.child('simulate');
  bus.on('message.created', (message) => {
    void (async () => {
      for (const profile of profiles) {
        try {
          await simulator.simulate(message.id, {
            profile: profile as SimulateProfile,
            compress: AUTO_JOURNEY_COMPRESS,
          });
        } catch (err) {
          // A mail caught without tracking has nothing to simulate; anything else is worth a line.
          if (!(err instanceof SimulateError && err.status === 409))
            log.warn(`${profile} on ${message.id}: ${(err as Error).message}`);
        }
      }
    })();
  });
}
