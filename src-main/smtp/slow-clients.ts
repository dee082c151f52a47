import type { Socket } from 'node:net';
import type { SMTPServer } from 'smtp-server';

export interface SlowClientLimits {
  /** Longest one command line may take to arrive, from its first byte to its line end, in ms. */
  commandTimeoutMs: number;
  /** Longest one mail may take to arrive, from the DATA command's 354 to its final dot, in ms. */
  dataTimeoutMs: number;
}

/** What a connection is timed on: one command line, or one mail's DATA. */
interface Clock {
  timer?: NodeJS.Timeout;
  /** While a mail's DATA arrives, its own limit applies and line ends say nothing. */
  inData: boolean;
}

const LF = 0x0a;

/**
 * smtp-server's `socketTimeout` counts idle time only, so a client that sends one byte every few seconds holds its
 * connection (one of `maxClients`) for ever. This puts a limit on the total time of each command line and of each
 * mail's DATA on top; past it the client gets `421` and the connection is closed, freeing its place.
 */
export class SlowClientGuard {
  readonly #server: SMTPServer;
  readonly #limits: SlowClientLimits;
  readonly #clocks = new WeakMap<Socket, Clock>();
  readonly #onTimeout: (what: 'command' | 'data', remote: string) => void;

  constructor(
    server: SMTPServer,
    limits: SlowClientLimits,
    onTimeout: (what: 'command' | 'data', remote: string) => void,
  ) {
    this.#server = server;
    this.#limits = limits;
    this.#onTimeout = onTimeout;
  }

  /** Times the command lines read from `socket`: the plain one on connect, the TLS one after STARTTLS. */
  watch(socket: Socket): void {
    const clock: Clock = { inData: false };
    this.#clocks.set(socket, clock);
    socket.prependListener('data', (chunk: Buffer) => {
      if (clock.inData || chunk.length === 0) return;
      const lastLf = chunk.lastIndexOf(LF);
      if (lastLf === chunk.length - 1) return this.#stop(clock);
      // Part of a line is pending: a line already timed goes on (unless this chunk ended it), a new one starts.
      if (lastLf >= 0) this.#stop(clock);
      clock.timer ??= this.#arm(socket, 'command', this.#limits.commandTimeoutMs);
    });
    socket.once('close', () => this.#stop(clock));
  }

  /** The DATA of a mail starts on the connection of `sessionId`; returns what to call once it has all arrived. */
  dataStarted(sessionId: string): () => void {
    const connection = this.#connectionOf((c) => c.id === sessionId);
    const socket = connection?._socket as Socket | undefined;
    const clock = socket && this.#clocks.get(socket);
    if (!socket || !clock) return () => {};
    this.#stop(clock);
    clock.inData = true;
    clock.timer = this.#arm(socket, 'data', this.#limits.dataTimeoutMs);
    return () => {
      this.#stop(clock);
      clock.inData = false;
    };
  }

  #arm(socket: Socket, what: 'command' | 'data', ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.#expire(socket, what), ms);
    timer.unref();
    return timer;
  }

  #stop(clock: Clock): void {
    if (clock.timer) clearTimeout(clock.timer);
    clock.timer = undefined;
  }

  #expire(socket: Socket, what: 'command' | 'data'): void {
    const clock = this.#clocks.get(socket);
    if (clock) clock.timer = undefined;
    const connection = this.#connectionOf((c) => c._socket === socket);
    const seconds = Math.round(
      (what === 'data' ? this.#limits.dataTimeoutMs : this.#limits.commandTimeoutMs) / 1000,
    );
    const limit = seconds >= 1 ? `${seconds} s` : 'the time allowed';
    this.#onTimeout(what, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
    if (!connection) return void socket.destroy();
    connection.send(
      421,
      what === 'data'
        ? `4.4.2 The mail took longer than ${limit} to arrive, closing connection`
        : `4.4.2 A command took longer than ${limit} to arrive, closing connection`,
    );
    connection.close();
  }

  #connectionOf(match: (c: SMTPServer['connections'] extends Set<infer C> ? C : never) => boolean) {
    for (const c of this.#server.connections) if (match(c)) return c;
    return undefined;
  }
}
