// Bytes to string for text-like files: honour a BOM, expect UTF-8, fall back to the legacy
// Western encoding (windows-1252) that most non-UTF-8 text on desktops still uses.

const sniffLength = 8192;

/** Decodes text bytes, strips a byte-order mark and says which encoding it used; never throws. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: string } {
  const bom = byteOrderMark(bytes);
  if (bom) return { text: new TextDecoder(bom.encoding).decode(bytes.subarray(bom.length)), encoding: bom.encoding };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // Not UTF-8. windows-1252 maps every byte to a character, so this cannot fail; legacy CJK
    // encodings without a BOM cannot be told apart reliably and come out wrong (known limit).
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

/**
 * Whether bytes look like text rather than binary: a UTF-16 BOM, or no NUL bytes and almost no
 * control characters in the first 8 KB (ESC is allowed: ISO-2022-JP text uses it).
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  const bom = byteOrderMark(bytes);
  if (bom) return true;
  const sample = bytes.subarray(0, sniffLength);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return false;
    if ((byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) || byte === 0x7f) control++;
  }
  return control <= sample.length * 0.02;
}

function byteOrderMark(bytes: Uint8Array): { encoding: string; length: number } | null {
  const [a, b, c] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}
