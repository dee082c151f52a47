import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The CLI entry; it runs the TypeScript sources when MAILBEACON_FROM_SOURCE is set. */
const BIN = fileURLToPath(new URL('../../bin/mailbeacon.js', import.meta.url));
/** The built CLI (`npm run build`). */
const BUNDLE = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));

/** Starting `serve` compiles the sources with tsx first; a slow CI machine needs more than a few seconds. */
const START_TIMEOUT_MS = 60_000;

/** Keep only the end of stderr: enough to explain a failure, bounded however chatty the child is. */
const STDERR_KEEP = 16_000;

export interface ServeProcessOptions {
  dataDir: string;
  /** More `serve` flags, e.g. ['--max-messages', '0']. */
  args?: string[];
  /** Flags for node itself, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeArgs?: string[];
  /**
   * Run the TypeScript sources (default), so tests see the code as it is; false lets the CLI pick the built bundle
   * when it is at least as new as the sources, as a user's checkout would.
   */
  fromSource?: boolean;
  /** Run the built CLI itself, whatever the age of the sources (a benchmark measures exactly what it built). */
  bundle?: boolean;
  /** Another checkout's CLI entry (`bin/mailbeacon.js`), to measure it beside this one. */
  bin?: string;
  /** How long the first line may take (default a minute); a start that checks a large file for damage needs longer. */
  startTimeoutMs?: number;
}

export interface ServeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `mailbeacon serve` in a child process on free loopback ports, as a user would run it. */
export class ServeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<ServeExit>;
  smtpHost = '';
  smtpPort = 0;
  /** http://host:port */
  http = '';
  /** The public base of tracking links. */
  trackingUrl = '';
  /** host:port of the POP3 listener, when started with --pop3. */
  pop3 = '';
  #stderr = '';

  private constructor(child: ChildProcess) {
    this.child = child;
    // 'close', not 'exit': stderr is read to its end by then, so a failed start can say why.
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      this.#stderr = (this.#stderr + d).slice(-STDERR_KEEP);
    });
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Spawns `serve --json` and resolves once it has printed its addresses (every listener is up by then). */
  static async start(options: ServeProcessOptions): Promise<ServeProcess> {
    const child = spawn(
      process.execPath,
      [
        ...(options.nodeArgs ?? []),
        options.bin ?? (options.bundle ? BUNDLE : BIN),
        'serve',
        '--data-dir',
        options.dataDir,
        '--smtp',
        '127.0.0.1:0',
        '--http',
        '127.0.0.1:0',
        '--tracking',
        '127.0.0.1:0',
        '--json',
        ...(options.args ?? []),
      ],
      {
        env: { ...process.env, MAILBEACON_FROM_SOURCE: options.fromSource === false ? '' : '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const serve = new ServeProcess(child);
    const lines = createInterface({ input: child.stdout! });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        const limit = options.startTimeoutMs ?? START_TIMEOUT_MS;
        const timer = setTimeout(() => reject(new Error(`[bench] serve did not start within ${limit} ms`)), limit);
        lines.once('line', (line) => {
          clearTimeout(timer);
          resolve(line);
        });
        void serve.exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`[bench] serve exited (${code ?? signal}) before it started: ${serve.stderr}`));
        });
      });
      const addresses = JSON.parse(first) as { smtp: string; http: string; trackingUrl: string; pop3?: string };
      const [host, port] = addresses.smtp.split(/:(?=\d+$)/);
      serve.smtpHost = host!;
      serve.smtpPort = Number(port);
      serve.http = addresses.http;
      serve.trackingUrl = addresses.trackingUrl;
      serve.pop3 = addresses.pop3 ?? '';
      return serve;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    } finally {
      lines.close();
    }
  }

  /** SIGTERM, then wait for the exit (bounded: SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 30_000): Promise<ServeExit> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills without warning, as a crash or power cut of the process would. */
  async crash(): Promise<ServeExit> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}
