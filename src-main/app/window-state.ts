import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/** Kept in userData, beside the mail database. */
export const WINDOW_STATE_FILE = 'window-state.json';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 800, maximized: false };

/**
 * How much of the window's title bar must lie on some display for a remembered position to be used. Less than
 * that (a monitor was unplugged, the resolution changed) and the window could not be grabbed, so it is centred.
 */
export const MIN_VISIBLE_PX = 80;

const stateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean().default(false),
});

/** The remembered state fitted to today's displays; the default when the file is missing, corrupt or off-screen. */
export function loadWindowState(file: string, workAreas: Rectangle[]): WindowState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return fitToDisplays(DEFAULT_WINDOW_STATE, workAreas);
  }
  const parsed = stateSchema.safeParse(raw);
  return fitToDisplays(parsed.success ? parsed.data : DEFAULT_WINDOW_STATE, workAreas);
}

/** Shrinks the window to the largest display if needed, and drops a position no display can show. */
export function fitToDisplays(state: WindowState, workAreas: Rectangle[]): WindowState {
  if (workAreas.length === 0) return { ...state };
  const maxWidth = Math.max(...workAreas.map((a) => a.width));
  const maxHeight = Math.max(...workAreas.map((a) => a.height));
  const width = Math.min(state.width, maxWidth);
  const height = Math.min(state.height, maxHeight);
  const fitted: WindowState = { width, height, maximized: state.maximized };
  if (state.x === undefined || state.y === undefined) return fitted;
  const titleBar = { x: state.x, y: state.y, width, height: Math.min(height, MIN_VISIBLE_PX) };
  const visible = workAreas.some((area) => overlap(titleBar, area) >= Math.min(MIN_VISIBLE_PX, width));
  return visible ? { ...fitted, x: state.x, y: state.y } : fitted;
}

/** Written to a temporary file and renamed, so a crash mid-write leaves the previous state, not half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, file);
}

/** Horizontal overlap of two rectangles, if they overlap vertically at all. */
function overlap(a: Rectangle, b: Rectangle): number {
  const vertical = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (vertical <= 0) return 0;
  return Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
}

/** The part of a BrowserWindow that window-state tracking reads. */
export interface StatefulWindow {
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
  isDestroyed(): boolean;
  on(event: 'resize' | 'move' | 'close', listener: () => void): unknown;
}

/** Coalesces the burst of resize/move events a drag produces into one write. */
export const SAVE_DELAY_MS = 500;

/** Saves the window's normal (unmaximized) bounds as it is moved and resized, and once more when it closes. */
export function trackWindowState(window: StatefulWindow, file: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    if (window.isDestroyed()) return;
    try {
      saveWindowState(file, { ...window.getNormalBounds(), maximized: window.isMaximized() });
    } catch {
      // A window position that could not be saved is not worth interrupting the user for.
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY_MS);
  };
  window.on('resize', later);
  window.on('move', later);
  window.on('close', save);
}
