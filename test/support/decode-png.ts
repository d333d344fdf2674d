// Minimal PNG decoder for screenshot checks: 8-bit RGB/RGBA, non-interlaced (what Chromium writes).
// Enough to count drawn pixels without an image library.
import { inflateSync } from 'zlib';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row-major. */
  rgba: Uint8Array;
}

export function decodePng(png: Buffer): DecodedImage {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('decodePng: not a PNG (bad signature)');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      colorType = data[9];
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || data[12] !== 0) {
        throw new Error(`decodePng: unsupported PNG (depth ${depth}, color type ${colorType}, interlace ${data[12]}); expected 8-bit RGB(A), non-interlaced`);
      }
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
  }
  const channels = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  // Each row: filter byte, then bytes; filters predict from left (a), up (b), up-left (c).
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = pixels[i * channels];
    rgba[i * 4 + 1] = pixels[i * channels + 1];
    rgba[i * 4 + 2] = pixels[i * channels + 2];
    rgba[i * 4 + 3] = channels === 4 ? pixels[i * channels + 3] : 255;
  }
  return { width, height, rgba };
}

/** Pixels differing from `background` by more than `tolerance` in any channel. */
export function countForegroundPixels(image: DecodedImage, background: [number, number, number], tolerance = 24): number {
  let count = 0;
  for (let i = 0; i < image.width * image.height; i++) {
    const r = image.rgba[i * 4], g = image.rgba[i * 4 + 1], b = image.rgba[i * 4 + 2];
    if (Math.abs(r - background[0]) > tolerance || Math.abs(g - background[1]) > tolerance || Math.abs(b - background[2]) > tolerance) count++;
  }
  return count;
}

/** Pixels within `tolerance` of `color` in every channel. */
export function countPixelsNear(image: DecodedImage, color: [number, number, number], tolerance = 40): number {
  return image.width * image.height - countForegroundPixels(image, color, tolerance);
}
