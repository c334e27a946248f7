// Bytes to string for text-like files: honour a BOM, expect UTF-8, then try the legacy East
// Asian encodings (whose text is recognisable by its script), else the legacy Western encoding
// (windows-1252) that most other non-UTF-8 text on desktops still uses.

const sniffLength = 8192;

/** Decodes text bytes, strips a byte-order mark and says which encoding it used; never throws. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: string } {
  const bom = byteOrderMark(bytes);
  if (bom) return { text: new TextDecoder(bom.encoding).decode(bytes.subarray(bom.length)), encoding: bom.encoding };
  const utf8 = tryDecode('utf-8', bytes);
  if (utf8 !== null) return { text: utf8, encoding: 'utf-8' };
  for (const legacy of eastAsian) {
    const text = tryDecode(legacy.encoding, bytes);
    if (text !== null && legacy.fits(scripts(text))) return { text, encoding: legacy.encoding };
  }
  // windows-1252 maps every byte to a character, so this cannot fail.
  return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
}

function tryDecode(encoding: string, bytes: Uint8Array): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

interface ScriptShares {
  /** Hiragana and full-width katakana (half-width katakana is what Western bytes often become). */
  kana: number;
  /** Han ideographs and CJK punctuation or full-width forms. */
  han: number;
  hangul: number;
}

/** Shares of the non-ASCII characters of `text` by script. */
function scripts(text: string): ScriptShares {
  let nonAscii = 0;
  let kana = 0;
  let han = 0;
  let hangul = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) continue;
    nonAscii++;
    if ((code >= 0x3040 && code <= 0x30ff)) kana++;
    else if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x3000 && code <= 0x303f) || (code >= 0xff01 && code <= 0xff60)) han++;
    else if (code >= 0xac00 && code <= 0xd7af) hangul++;
  }
  const share = (n: number) => (nonAscii ? n / nonAscii : 0);
  return { kana: share(kana), han: share(han), hangul: share(hangul) };
}

/**
 * Legacy encodings tried in order. Each decodes many byte strings without error, so a result
 * only counts when it reads as that language: Japanese always has kana (particles), Korean is
 * almost all Hangul, Chinese almost all ideographs.
 */
const eastAsian: { encoding: string; fits: (s: ScriptShares) => boolean }[] = [
  { encoding: 'shift_jis', fits: (s) => s.kana >= 0.2 && s.kana + s.han >= 0.9 },
  { encoding: 'euc-jp', fits: (s) => s.kana >= 0.2 && s.kana + s.han >= 0.9 },
  // Before Chinese: Korean bytes also decode as GB18030 ideographs, while Chinese bytes decode
  // as EUC-KR to a mix of Hangul and Hanja, never almost all Hangul.
  { encoding: 'euc-kr', fits: (s) => s.hangul >= 0.9 },
  { encoding: 'gb18030', fits: (s) => s.han >= 0.9 },
  { encoding: 'big5', fits: (s) => s.han >= 0.9 },
];

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
