import sharp from 'sharp';

export const THUMB_WIDTH = 180;
export const THUMB_HEIGHT = 120;
/** A decompression bomb (a small file that decodes to gigapixels) is refused instead of filling memory. */
const MAX_INPUT_PIXELS = 50_000_000;

const canvas = () =>
  sharp({
    create: { width: THUMB_WIDTH, height: THUMB_HEIGHT, channels: 3, background: '#ffffff' },
  });

/**
 * Mailpit's thumbnail: the image cropped to fill 180×120, or centred on white when smaller, as JPEG; anything
 * that is not a decodable image gets a blank white one.
 */
export async function thumbnail(content: Buffer, contentType: string): Promise<Buffer> {
  if (contentType.toLowerCase().startsWith('image/')) {
    try {
      const input = () => sharp(content, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' });
      const meta = await input().metadata();
      const turned = (meta.orientation ?? 1) >= 5; // EXIF orientations 5-8 swap width and height
      const width = (turned ? meta.height : meta.width) ?? 0;
      const height = (turned ? meta.width : meta.height) ?? 0;
      const fills = width >= THUMB_WIDTH && height >= THUMB_HEIGHT;
      const image = await input()
        .rotate()
        .resize(THUMB_WIDTH, THUMB_HEIGHT, { fit: fills ? 'cover' : 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .toBuffer();
      return await canvas()
        .composite([{ input: image, gravity: 'centre' }])
        .jpeg({ quality: 80 })
        .toBuffer();
    } catch {
      // Not an image sharp can read (or a damaged one): the blank thumbnail below.
    }
  }
  return canvas().jpeg({ quality: 80 }).toBuffer();
}
