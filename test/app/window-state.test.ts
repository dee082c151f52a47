import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_WINDOW_STATE,
  fitToDisplays,
  loadWindowState,
  SAVE_DELAY_MS,
  saveWindowState,
  trackWindowState,
  type Rectangle,
} from '../../src-main/app/window-state.js';
import { Emitter } from './stand-ins.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mb-window-'));
  dirs.push(dir);
  return join(dir, 'window-state.json');
}

const laptop: Rectangle = { x: 0, y: 0, width: 1440, height: 900 };
const monitor: Rectangle = { x: 1440, y: 0, width: 2560, height: 1440 };

describe('window state', () => {
  it('starts at the default size when nothing was saved, or the file is corrupt', () => {
    const file = stateFile();
    expect(loadWindowState(file, [monitor])).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(file, '{"width": "wide"');
    expect(loadWindowState(file, [monitor])).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(file, JSON.stringify({ width: -5, height: 10 }));
    expect(loadWindowState(file, [monitor])).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('comes back where it was saved', () => {
    const file = stateFile();
    const state = { x: 1600, y: 100, width: 1200, height: 800, maximized: true };
    saveWindowState(file, state);
    expect(loadWindowState(file, [laptop, monitor])).toEqual(state);
  });

  it('forgets a position on a display that is gone, but keeps the size', () => {
    const onMonitor = { x: 1600, y: 100, width: 1200, height: 800, maximized: false };
    expect(fitToDisplays(onMonitor, [laptop])).toEqual({ width: 1200, height: 800, maximized: false });
  });

  it('shrinks a window larger than every display', () => {
    expect(fitToDisplays({ x: 0, y: 0, width: 3000, height: 2000, maximized: false }, [laptop])).toEqual({
      x: 0,
      y: 0,
      width: 1440,
      height: 900,
      maximized: false,
    });
  });

  it('keeps a window partly off-screen as long as its title bar can be grabbed', () => {
    expect(fitToDisplays({ x: -300, y: 50, width: 800, height: 600, maximized: false }, [laptop]).x).toBe(
      -300,
    );
    expect(
      fitToDisplays({ x: -790, y: 50, width: 800, height: 600, maximized: false }, [laptop]).x,
    ).toBeUndefined();
    expect(
      fitToDisplays({ x: 100, y: -700, width: 800, height: 600, maximized: false }, [laptop]).x,
    ).toBeUndefined();
  });

  it('saves the normal bounds when the window closes', () => {
    const file = stateFile();
    const window = Object.assign(new Emitter(), {
      getNormalBounds: () => ({ x: 10, y: 20, width: 900, height: 650 }),
      isMaximized: () => true,
      isDestroyed: () => false,
    });
    trackWindowState(window, file);
    window.emit('close');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      x: 10,
      y: 20,
      width: 900,
      height: 650,
      maximized: true,
    });
  });

  it('writes once after a drag, not on every move event', () => {
    vi.useFakeTimers();
    try {
      const file = stateFile();
      let x = 0;
      const window = Object.assign(new Emitter(), {
        getNormalBounds: () => ({ x, y: 20, width: 900, height: 650 }),
        isMaximized: () => false,
        isDestroyed: () => false,
      });
      trackWindowState(window, file);
      for (x = 1; x <= 300; x++) window.emit('move');
      x = 300;
      expect(existsSync(file)).toBe(false);
      vi.advanceTimersByTime(SAVE_DELAY_MS);
      expect(JSON.parse(readFileSync(file, 'utf8')).x).toBe(300);
    } finally {
      vi.useRealTimers();
    }
  });
});
