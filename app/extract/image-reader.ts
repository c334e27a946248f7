// ImageReader: a photo or scan (PNG, JPEG, WebP, GIF, BMP, TIFF with all its pages) has no text of
// its own: it is checked here (it decodes, it is large enough to hold text) and its pages are left
// to OCR, which runs later as its own job. A GIF is read by its first frame.
import { Image } from '@napi-rs/canvas';
import UTIF from 'utif';
import { baseName, extensionOf, failed, shortMessage, skipped } from './results.ts';
import type { ExtractInput, ExtractResult } from './types.ts';

/** Images with fewer pixels than this (icons, spacers, 100 × 100) are not worth reading. */
export const MIN_OCR_PIXELS = 100 * 100;
/** TIFF pages read at most. */
export const MAX_IMAGE_PAGES = 500;

export async function readImage({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  const tiff = isTiff(bytes);
  const mime = tiff ? 'image/tiff' : imageMime(bytes, name);
  let pages: { width: number; height: number }[];
  try {
    pages = tiff ? tiffPages(bytes) : [imageSize(bytes)];
  } catch (error) {
    return failed('damaged', `Image file is damaged: ${shortMessage(error)}`);
  }
  if (pages.length === 0) return failed('damaged', 'Image file is damaged: it has no pages');
  const readable = pages.map((p, i) => ({ ...p, page: i + 1 })).filter((p) => p.width * p.height >= MIN_OCR_PIXELS).slice(0, MAX_IMAGE_PAGES);
  const first = pages[0]!;
  if (readable.length === 0) return skipped('no-text', `Image is too small to hold text (${first.width} × ${first.height} pixels)`);
  return {
    ok: true,
    doc: {
      kind: 'file',
      title: baseName(name),
      mime,
      sections: [],
      metadata: { width: first.width, height: first.height, ...(pages.length > 1 ? { pages: pages.length } : {}) },
      children: [],
      ocr: { pages: readable.map((p) => p.page) },
    },
  };
}

export function isTiff(bytes: Uint8Array): boolean {
  return (bytes[0] === 0x49 && bytes[1] === 0x49 && bytes[2] === 0x2a && bytes[3] === 0) || (bytes[0] === 0x4d && bytes[1] === 0x4d && bytes[2] === 0 && bytes[3] === 0x2a);
}

/** Width and height of a PNG, JPEG, WebP, GIF or BMP image, decoding it to be sure it decodes. */
function imageSize(bytes: Uint8Array): { width: number; height: number } {
  // The decoder reads sizes from the header, so a file cut short is caught by its missing end.
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0x89 && buffer.lastIndexOf('IEND') === -1) throw new Error('the PNG image is cut short');
  if (buffer[0] === 0xff && buffer.lastIndexOf(Buffer.from([0xff, 0xd9])) === -1) throw new Error('the JPEG image is cut short');
  const image = new Image();
  image.src = buffer;
  if (!image.complete || image.width === 0 || image.height === 0) throw new Error('the image cannot be decoded');
  return { width: image.width, height: image.height };
}

/** The pages of a TIFF file (sub-images such as thumbnails left out). */
export function tiffPages(bytes: Uint8Array): { width: number; height: number }[] {
  const ifds = UTIF.decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return ifds.map((ifd) => ({ width: Number(ifd.t256?.[0] ?? 0), height: Number(ifd.t257?.[0] ?? 0) })).filter((p) => p.width > 0 && p.height > 0);
}

function imageMime(bytes: Uint8Array, name: string): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes[0] === 0x47 && bytes[1] === 0x49) return 'image/gif';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'image/bmp';
  if (bytes[0] === 0x52 && bytes[1] === 0x49) return 'image/webp';
  return `image/${extensionOf(name) || 'unknown'}`;
}
