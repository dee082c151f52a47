import type { Server, ServerOptions } from 'node:http';

/**
 * Bounds of an HTTP listener. Requests come from one machine (or a tunnel), so generous values cost nothing,
 * while none of them unbounded keeps a slow or stuck client from holding sockets and memory forever.
 * Streams (hub subscribers, `/api/v1/wait` long polls) are answered first and then stream: the request timeout
 * only covers reading the request, and they lift the idle timeout on their own socket.
 */
export interface HttpLimits {
  /** All request headers must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this; a 60 MB upload from this machine takes a second. */
  requestTimeoutMs: number;
  /** An idle keep-alive socket is closed after this; browsers reopen one in a moment. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed (streams turn it off for themselves). */
  idleTimeoutMs: number;
  /** Open connections at most; more are refused at once so that one client cannot take every socket. */
  maxConnections: number;
}

export const API_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  // UI tabs and test suites each hold a hub stream or a long poll; a few hundred is far above real use.
  maxConnections: 512,
};

/** Mail clients fetch a pixel or follow a link in well under these. */
export const TRACKING_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  // Proxies (Gmail's image proxy, Apple's MPP) fetch in bursts from many sockets.
  maxConnections: 2_048,
};

/** The options of `createServer` for these limits (the timeouts are checked at a fraction of the shortest). */
export function httpServerOptions(limits: HttpLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** What `createServer` options cannot set: the idle timeout and the connection cap. */
export function applyHttpLimits(server: Server, limits: HttpLimits): void {
  server.timeout = limits.idleTimeoutMs;
  server.maxConnections = limits.maxConnections;
}
