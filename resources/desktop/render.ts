// Renders the PNG icons the desktop app needs from ../icons/cairn.svg (Electron's tray and electron-builder
// take PNG, not SVG): `node resources/desktop/render.ts` after changing the SVG, then commit them.
// Uses @napi-rs/canvas, which pdfjs-dist installs.
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const image = await loadImage(readFileSync(join(here, '..', 'icons', 'cairn.svg')));
// icon.png: the app's icon (electron-builder makes .icns and .ico from it); tray: 16 px and 32 px (@2x).
for (const [name, size] of [['icon.png', 1024], ['tray.png', 16], ['tray@2x.png', 32]] as const) {
  const canvas = createCanvas(size, size);
  canvas.getContext('2d').drawImage(image, 0, 0, size, size);
  writeFileSync(join(here, name), canvas.toBuffer('image/png'));
  console.log(`${name} (${size} px)`);
}
