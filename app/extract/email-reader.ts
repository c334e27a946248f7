// EmailReader: one RFC 822 message (mailparser decodes MIME, transfer encodings and charsets such
// as ISO-2022-JP and GB2312). The body is one section that starts with the Subject/From/To/Cc
// lines, so a message without a body is still found by its headers. Attachments and embedded
// messages become children. A bad or excess part costs only that part: what mailparser leaves
// false, undefined or odd (an empty Content-Type, a file name that is a path) gets a fallback, and
// parts past the first MAX_PARTS become one problem of their own.
import { simpleParser, type AddressObject, type Attachment, type EmailAddress, type ParsedMail } from 'mailparser';
import { parseHTML } from 'linkedom';
import { htmlText } from './html-sections.ts';
import { cutToParts } from './mime-parts.ts';
import { baseName, failed, shortMessage } from './results.ts';
import type { ChildInput, ExtractInput, ExtractResult } from './types.ts';

/** MIME parts a message is read up to (mailparser's own default bound on its parse). */
const MAX_PARTS = 1000;
/** Attachment names are cut to this length (file systems allow 255 bytes). */
const MAX_NAME = 200;

export async function readEmail({ bytes }: ExtractInput): Promise<ExtractResult> {
  const cut = cutToParts(bytes, MAX_PARTS);
  const kept = cut?.bytes ?? bytes;
  let mail: ParsedMail;
  try {
    mail = await simpleParser(Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength), {
      ignoreEmbedded: true, // embedded messages become children, not part of this body
      keepCidLinks: true, // do not inline images as data: URLs; the HTML is only read for text
      skipImageLinks: true,
      skipTextToHtml: true,
      checksumAlgo: false,
      // The parts kept, the root, and a node for each embedded message among them.
      maxChildNodes: 2 * MAX_PARTS + 1,
    });
  } catch (error) {
    return failed('damaged', `Email is damaged: ${shortMessage(error)}`);
  }

  const subject = text(mail.subject)?.replace(/\s+/g, ' ').trim() || '';
  const from = addresses(mail.from)[0];
  const to = addresses(mail.to);
  const cc = addresses(mail.cc);
  const date = messageDate(mail.headerLines ?? []);
  const references = (Array.isArray(mail.references) ? mail.references : [mail.references]).filter((r): r is string => typeof r === 'string');

  const headers = emailHeaderLines({ subject, from, to, cc });
  const body = [headers, bodyText(mail)].filter(Boolean).join('\n\n');
  const children = attachmentChildren(mail.attachments ?? []);
  if (cut) {
    const reason = `Email has ${cut.parts.toLocaleString('en-US')} parts: the ${cut.leftOut.toLocaleString('en-US')} after the first ${MAX_PARTS.toLocaleString('en-US')} were not read`;
    children.push({ key: 'parts-left-out', name: `${cut.leftOut} parts not read`, bytes: new Uint8Array(0), problem: { status: 'skipped', code: 'too-large', reason } });
  }

  return {
    ok: true,
    doc: {
      kind: 'email',
      title: subject || '(no subject)',
      mime: 'message/rfc822',
      sections: body ? [{ text: body, headingPath: [] }] : [],
      metadata: definedOnly({
        subject: subject || undefined,
        from,
        to: to.length > 0 ? to : undefined,
        cc: cc.length > 0 ? cc : undefined,
        date: date === undefined ? undefined : new Date(date).toISOString(),
        messageId: text(mail.messageId),
        inReplyTo: text(mail.inReplyTo),
        references: references.length > 0 ? references : undefined,
      }),
      ...(date === undefined ? {} : { date }),
      ...(from === undefined ? {} : { from }),
      to,
      cc,
      children,
    },
  };
}

/**
 * The header lines a message's text starts with (then a blank line and the body), so that it is
 * found by its headers too. The source viewer finds where the body starts with the same lines.
 */
export function emailHeaderLines({ subject, from, to, cc }: { subject?: string | undefined; from?: string | undefined; to: string[]; cc: string[] }): string {
  return [
    subject && `Subject: ${subject}`,
    from && `From: ${from}`,
    to.length > 0 && `To: ${to.join(', ')}`,
    cc.length > 0 && `Cc: ${cc.join(', ')}`,
  ].filter(Boolean).join('\n');
}

/** A string field, or undefined for anything else mailparser may leave there (false, arrays). */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The plain-text body; an HTML-only body converted to text. */
function bodyText(mail: ParsedMail): string {
  const plain = text(mail.text)?.replace(/\r\n?/g, '\n').trim();
  if (plain && !mail.textConversionError) return plain;
  const html = text(mail.html);
  if (html?.trim()) return htmlText(parseHTML(`<!doctype html><html><body>${html}</body></html>`).document.body);
  return plain ?? '';
}

/** "Name <address>" strings, groups flattened; entries with neither name nor address dropped. */
function addresses(header: AddressObject | AddressObject[] | undefined): string[] {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const flatten = (a: EmailAddress): EmailAddress[] => (Array.isArray(a.group) ? a.group.flatMap(flatten) : [a]);
  return objects
    .flatMap((o) => (Array.isArray(o?.value) ? o.value.flatMap(flatten) : []))
    .map((a) => {
      const name = text(a.name)?.trim() ?? '';
      const address = text(a.address)?.trim() ?? '';
      return name && address ? `${name} <${address}>` : address || name;
    })
    .filter((s) => s.length > 0);
}

/**
 * When the message was written (its Date header), else when it arrived (the first Received header
 * with a readable date: the topmost, added last, by the receiving server), in epoch ms.
 * mailparser substitutes "now" for a date it cannot parse; we never do.
 */
function messageDate(lines: ReadonlyArray<{ key: string; line: string }>): number | undefined {
  const value = (line: string) => line.slice(line.indexOf(':') + 1).replace(/\s+/g, ' ');
  const dateLine = lines.find((h) => h.key === 'date')?.line;
  const date = dateLine === undefined ? undefined : parseDate(value(dateLine));
  if (date !== undefined) return date;
  for (const h of lines) {
    if (h.key !== 'received') continue;
    // "Received: from a by b with ESMTP id c; Tue, 1 Jul 2025 09:30:00 +0200": the date follows the last ';'.
    const received = value(h.line);
    const semicolon = received.lastIndexOf(';');
    const ms = semicolon === -1 ? undefined : parseDate(received.slice(semicolon + 1));
    if (ms !== undefined) return ms;
  }
  return undefined;
}

function parseDate(value: string): number | undefined {
  const ms = Date.parse(value.replace(/\([^)]*\)/g, ' ').trim());
  return Number.isFinite(ms) ? ms : undefined;
}

const extensions: Record<string, string> = {
  'text/plain': 'txt', 'text/html': 'html', 'text/markdown': 'md', 'text/csv': 'csv',
  'text/calendar': 'ics', 'text/xml': 'xml', 'application/xml': 'xml', 'application/json': 'json',
  'application/pdf': 'pdf', 'message/rfc822': 'eml', 'message/delivery-status': 'txt',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/msword': 'doc', 'application/zip': 'zip', 'image/png': 'png', 'image/jpeg': 'jpg',
  'image/gif': 'gif',
};

function attachmentChildren(attachments: Attachment[]): ChildInput[] {
  const children: ChildInput[] = [];
  for (const attachment of attachments) {
    // An empty Content-Type ("Content-Type: ; name=x.jpg") comes as false: the name and the bytes still tell.
    const type = text(attachment.contentType)?.toLowerCase() || undefined;
    // Images the HTML body shows inline (signatures, logos) are part of the message, not files.
    if (attachment.related && type?.startsWith('image/')) continue;
    const content = attachment.content;
    if (!(content instanceof Uint8Array)) continue;
    const n = children.length + 1;
    let name = fileName(attachment.filename) ?? `attachment-${n}.${(type && extensions[type]) ?? 'bin'}`;
    if (type === 'message/rfc822' && !/\.eml$/i.test(name)) name += '.eml';
    const safe = name.normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 80);
    children.push({
      key: `attachment-${n}-${safe}`,
      name,
      ...(type ? { mime: type } : {}),
      bytes: new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
    });
  }
  return children;
}

/**
 * An attachment's file name as a plain name: no folders (a name may be a whole path, even just
 * "../../"), no control characters, at most MAX_NAME characters with its extension kept; null
 * when nothing usable is left.
 */
function fileName(raw: unknown): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const name = baseName(text(raw)?.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim() ?? '').trim();
  if (!name || name === '.' || name === '..' || /[/\\]$/.test(name)) return null;
  if (name.length <= MAX_NAME) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  return name.slice(0, MAX_NAME - extension.length) + extension;
}

function definedOnly(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
