// TextReader: plain text, source code and config files become one section of decoded text.
import { baseName, extensionOf, skipped } from './results.ts';
import { decodeText, looksLikeText } from './text-decoding.ts';
import type { ExtractInput, ExtractResult } from './types.ts';

export async function readText({ bytes, name, mime }: ExtractInput): Promise<ExtractResult> {
  if (!looksLikeText(bytes)) {
    const ext = extensionOf(name);
    return skipped('unsupported', `Binary content in a ${ext ? `.${ext}` : 'text'} file`);
  }
  const { text: raw, encoding } = decodeText(bytes);
  const text = raw.replace(/\r\n?/g, '\n');
  if (!text.trim()) return skipped('empty', 'File contains only whitespace');
  return {
    ok: true,
    doc: {
      kind: 'file',
      title: baseName(name),
      mime: mime?.startsWith('text/') ? mime.split(';', 1)[0]!.trim() : 'text/plain',
      sections: [{ text, headingPath: [] }],
      metadata: { encoding },
      children: [],
    },
  };
}
