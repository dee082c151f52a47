import type { Server } from 'node:net';

export interface BoundAddress {
  host: string;
  port: number;
}

/** An address already taken: the desktop app offers free ports instead of failing. */
export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(
    readonly listener: string,
    readonly address: string,
  ) {
    super(`[${listener}] ${address} is already in use (another mail catcher running?); choose another port`);
    this.name = 'PortInUseError';
  }
}

/** Listens and resolves with the real address (port 0 becomes the port the OS chose). */
export function listen(server: Server, host: string, port: number, listener = 'net'): Promise<BoundAddress> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(listener, formatHostPort(host, port)) : err);
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
