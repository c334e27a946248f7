// DocxReader: mammoth turns the .docx into semantic HTML (Word's heading styles become h1-h6,
// tables stay tables), which is then cut into sections like any HTML.
import mammoth from 'mammoth';
import { parseHTML } from 'linkedom';
import { htmlSections } from './html-sections.ts';
import { baseName, failed, shortMessage, skipped } from './results.ts';
import type { ExtractInput, ExtractResult } from './types.ts';

const styleMap = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => h2:fresh"];
// Images are not text: give mammoth an empty src instead of letting it inline them as data URLs.
const skipImages = mammoth.images.imgElement(async () => ({ src: '' }));

export async function readDocx({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) {
    // Word saves a password-protected .docx as an OLE container holding an "EncryptedPackage".
    if (buffer.includes(Buffer.from('EncryptedPackage', 'utf16le'))) return failed('encrypted', 'DOCX is password-protected');
    return skipped('unsupported', 'This is a legacy Word .doc file; only .docx is read');
  }
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer }, { styleMap, convertImage: skipImages })).value;
  } catch (error) {
    return failed('damaged', `DOCX file is damaged: ${shortMessage(error)}`);
  }
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const sections = htmlSections(document.body);
  if (sections.length === 0) return skipped('no-text', 'DOCX document has no text');
  const heading = document.querySelector('h1, h2, h3, h4, h5, h6')?.textContent?.replace(/\s+/g, ' ').trim();
  return {
    ok: true,
    doc: {
      kind: 'file',
      title: heading || baseName(name),
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      sections,
      metadata: {},
      children: [],
    },
  };
}
