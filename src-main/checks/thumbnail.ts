import type sharpFunction from 'sharp';
import { loadOptional } from '../optional-package.js';
import { CheckRefused } from './limits.js';

/** sharp's native library is loaded with the first thumbnail, not at every start; the library may lack it. */
let sharpModule: Promise<typeof sharpFunction> | undefined;
const loadSharp = () =>
  (sharpModule ??= loadOptional('sharp', 'Thumbnails', () => import('sharp')).then((m) => m.default));

export const THUMB_WIDTH = 180;
export const THUMB_HEIGHT = 120;
/**
 * A decompression bomb (a small file that decodes to gigapixels) is refused instead of filling memory. A
 * progressive JPEG is decoded whole before it can be shrunk, so this also bounds one thumbnail's memory; 25 MP
 * covers the photos phones and cameras send (12–24 MP).
 */
export const MAX_INPUT_PIXELS = 25_000_000;
/** libvips gives up on an image after this long (sharp's timeout), whatever the format does to it. */
const TIMEOUT_SECONDS = 5;
/**
 * Formats drawn. SVG is not: librsvg follows references (`<use>` nesting costs seconds from a few kilobytes, and
 * it may read files), and a thumbnail of a drawing tells little; it gets the blank one, like a PDF.
 */
const DRAWN_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff']);

/** Thumbnails made at once; more wait in line, up to QUEUE, then get 503. */
const AT_ONCE = 2;
const QUEUE = 64;
/** Thumbnails kept (a few kilobytes each): the inbox and a mail's view ask for the same ones again and again. */
const CACHE_ENTRIES = 256;

const canvas = (sharp: Awaited<ReturnType<typeof loadSharp>>) =>
  sharp({
    create: { width: THUMB_WIDTH, height: THUMB_HEIGHT, channels: 3, background: '#ffffff' },
  });

/**
 * Mailpit's thumbnail: the image cropped to fill 180×120, or centred on white when smaller, as JPEG; anything
 * that is not a decodable raster image gets a blank white one. libvips does the work on its own threads, so the
 * event loop only waits for it.
 */
export async function thumbnail(content: Buffer, contentType: string): Promise<Buffer> {
  const sharp = await loadSharp();
  if (contentType.toLowerCase().startsWith('image/') && !/svg/i.test(contentType)) {
    try {
      const input = () =>
        sharp(content, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', sequentialRead: true }).timeout(
          {
            seconds: TIMEOUT_SECONDS,
          },
        );
      const meta = await input().metadata();
      if (!DRAWN_FORMATS.has(meta.format ?? '')) throw new Error('not a raster image');
      if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_INPUT_PIXELS) throw new Error('too many pixels');
      const turned = (meta.orientation ?? 1) >= 5; // EXIF orientations 5-8 swap width and height
      const width = (turned ? meta.height : meta.width) ?? 0;
      const height = (turned ? meta.width : meta.height) ?? 0;
      const fills = width >= THUMB_WIDTH && height >= THUMB_HEIGHT;
      const image = await input()
        .rotate()
        .resize(THUMB_WIDTH, THUMB_HEIGHT, { fit: fills ? 'cover' : 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .toBuffer();
      return await canvas(sharp)
        .composite([{ input: image, gravity: 'centre' }])
        .jpeg({ quality: 80 })
        .toBuffer();
    } catch {
      // Not an image sharp may read (or a damaged, oversized or overlong one): the blank thumbnail below.
    }
  }
  return canvas(sharp).jpeg({ quality: 80 }).toBuffer();
}

/** A part's content, or undefined when there is no such part. */
type PartSource = () => Promise<{ content: Buffer; content_type: string } | undefined>;

/**
 * Thumbnails per part, made a few at a time and kept: a page of attachments asks for many at once, and each
 * decode holds the whole image in memory. The part is read only when its turn comes.
 */
export class ThumbnailService {
  readonly #cache = new Map<string, Buffer>();
  readonly #making = new Map<string, Promise<Buffer | undefined>>();
  readonly #waiting: (() => void)[] = [];
  #active = 0;

  of(key: string, part: PartSource): Promise<Buffer | undefined> {
    const cached = this.#cache.get(key);
    if (cached) {
      // Most recently used last, so the oldest goes first.
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return Promise.resolve(cached);
    }
    const making = this.#making.get(key);
    if (making) return making;
    if (this.#active >= AT_ONCE && this.#waiting.length >= QUEUE)
      return Promise.reject(new CheckRefused('too many thumbnails are being made; try again shortly', 503));
    const made = this.#make(key, part).finally(() => this.#making.delete(key));
    this.#making.set(key, made);
    return made;
  }

  async #make(key: string, part: PartSource): Promise<Buffer | undefined> {
    if (this.#active >= AT_ONCE) await new Promise<void>((go) => this.#waiting.push(go));
    this.#active++;
    try {
      const source = await part();
      if (!source) return undefined;
      const jpeg = await thumbnail(source.content, source.content_type);
      this.#cache.set(key, jpeg);
      if (this.#cache.size > CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
      return jpeg;
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}
