// Small stand-ins for the parts of the `electron` module the shell's deciding code is handed. They record what the
// code passes to them, so tests assert the real values (handlers, options, responses) without an Electron binary.
import { createLogger, type LogLine, type Logger } from '../../src-main/logger.js';

export type Handler = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An event whose default can be prevented, as Electron passes to 'will-navigate' and 'before-quit'. */
export class StandInEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** Records `on()` handlers by event name and lets a test emit them. */
export class Emitter {
  readonly handlers = new Map<string, Handler[]>();
  on(event: string, handler: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
}

export class StandInWebContents extends Emitter {
  windowOpenHandler: Handler | undefined;
  setWindowOpenHandler(handler: Handler): void {
    this.windowOpenHandler = handler;
  }
}

/** `quit()` emits 'before-quit' like Electron's; `quitEvents` keeps each one to see whether it was held. */
export class StandInApp extends Emitter {
  readonly quitEvents: StandInEvent[] = [];
  quit(): void {
    const event = new StandInEvent();
    this.quitEvents.push(event);
    this.emit('before-quit', event);
  }
}

export class StandInIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Calls a handler as `ipcRenderer.invoke` from `sender`/`senderFrame` would. */
  async invoke(
    channel: string,
    caller: { sender: unknown; senderFrame: unknown },
    ...args: unknown[]
  ): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(caller, ...args);
  }
}

/** A logger that keeps its lines for assertions. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { logger: createLogger('info', (line) => lines.push(line), 'app'), lines };
}
