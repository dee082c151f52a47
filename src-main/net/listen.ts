import type { Server } from 'node:net';

export interface BoundAddress {
  host: string;
  port: number;
}

/** The flag that moves each listener, named in the errors so the user knows what to change. */
const FLAG_OF: Record<string, string> = {
  smtp: '--smtp',
  smtps: '--smtps',
  http: '--http',
  tracking: '--tracking',
};

/** An address already taken: the desktop app offers free ports instead of failing. */
export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  readonly address: string;
  constructor(
    readonly listener: string,
    host: string,
    port: number,
  ) {
    const flag = FLAG_OF[listener] ?? 'another port';
    super(
      `[${listener}] port ${port} on ${host} is in use (EADDRINUSE); another mail catcher such as Mailpit may be running: choose another with ${flag}`,
    );
    this.name = 'PortInUseError';
    this.address = formatHostPort(host, port);
  }
}

/** Why a bind failed, in the user's terms: the listener, the address, the system's code and what to do. */
export function listenError(listener: string, host: string, port: number, err: NodeJS.ErrnoException): Error {
  if (err.code === 'EADDRINUSE') return new PortInUseError(listener, host, port);
  const flag = FLAG_OF[listener] ?? 'another address';
  const hint =
    err.code === 'EACCES'
      ? `ports below 1024 need privileges: choose another with ${flag}`
      : err.code === 'EADDRNOTAVAIL'
        ? `${host} is not an address of this machine: choose another with ${flag}`
        : `choose another with ${flag}`;
  return Object.assign(
    new Error(
      `[${listener}] cannot listen on ${formatHostPort(host, port)} (${err.code ?? err.message}); ${hint}`,
    ),
    { code: err.code, listener },
  );
}

/** Listens and resolves with the real address (port 0 becomes the port the OS chose). */
export function listen(server: Server, host: string, port: number, listener = 'net'): Promise<BoundAddress> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(listener, host, port, err));
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      if (!address || typeof address === 'string')
        return reject(new Error(`[${listener}] no address after listen`));
      resolve({ host: address.address, port: address.port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export const formatHostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
