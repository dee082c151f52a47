/** Each subsystem logs through its own tagged logger (`[smtp] …`), once, at the edge where an error is handled. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(tag: string): Logger;
}

export type LogLevel = 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2, silent: 3 };

export interface LogLine {
  level: Exclude<LogLevel, 'silent'>;
  tag: string;
  message: string;
}

/** Writes `[tag] message` lines to stderr (stdout is kept for `--json` output), or to `sink` when given. */
export function createLogger(level: LogLevel = 'info', sink?: (line: LogLine) => void, tag = ''): Logger {
  const write = (lineLevel: LogLine['level'], message: string) => {
    if (RANK[lineLevel] < RANK[level]) return;
    if (sink) sink({ level: lineLevel, tag, message });
    else process.stderr.write(`${tag ? `[${tag}] ` : ''}${message}\n`);
  };
  return {
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
    child: (child) => createLogger(level, sink, child),
  };
}

/** Time source, injected so tests and the relay's retry schedule can be driven deterministically. */
export interface Clock {
  now(): number;
  /** Unix time in nanoseconds, as tracking tokens carry it. */
  nowNs(): bigint;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  nowNs: () => BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n),
};
