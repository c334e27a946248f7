// EmailReader: one RFC 822 message (mailparser decodes MIME, transfer encodings and charsets such
// as ISO-2022-JP and GB2312). The body is one section that starts with the Subject/From/To/Cc
// lines, so a message without a body is still found by its headers. Attachments and embedded
// messages become children.
import { simpleParser, type AddressObject, type Attachment, type EmailAddress, type ParsedMail } from 'mailparser';
import { parseHTML } from 'linkedom';
import { htmlText } from './html-sections.ts';
import { baseName, failed, shortMessage } from './results.ts';
import type { ChildInput, ExtractInput, ExtractResult } from './types.ts';

export async function readEmail({ bytes }: ExtractInput): Promise<ExtractResult> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      ignoreEmbedded: true, // embedded messages become children, not part of this body
      keepCidLinks: true, // do not inline images as data: URLs; the HTML is only read for text
      skipImageLinks: true,
      skipTextToHtml: true,
      checksumAlgo: false,
    });
  } catch (error) {
    return failed('damaged', `Email is damaged: ${shortMessage(error)}`);
  }

  const subject = mail.subject?.replace(/\s+/g, ' ').trim() || '';
  const from = addresses(mail.from)[0];
  const to = addresses(mail.to);
  const cc = addresses(mail.cc);
  const date = headerDate(mail);
  const references = typeof mail.references === 'string' ? [mail.references] : (mail.references ?? []);

  const headers = [
    subject && `Subject: ${subject}`,
    from && `From: ${from}`,
    to.length > 0 && `To: ${to.join(', ')}`,
    cc.length > 0 && `Cc: ${cc.join(', ')}`,
  ].filter(Boolean).join('\n');
  const text = [headers, bodyText(mail)].filter(Boolean).join('\n\n');

  return {
    ok: true,
    doc: {
      kind: 'email',
      title: subject || '(no subject)',
      mime: 'message/rfc822',
      sections: text ? [{ text, headingPath: [] }] : [],
      metadata: definedOnly({
        subject: subject || undefined,
        from,
        to: to.length > 0 ? to : undefined,
        cc: cc.length > 0 ? cc : undefined,
        date: date === undefined ? undefined : new Date(date).toISOString(),
        messageId: mail.messageId,
        inReplyTo: mail.inReplyTo,
        references: references.length > 0 ? references : undefined,
      }),
      ...(date === undefined ? {} : { date }),
      ...(from === undefined ? {} : { from }),
      to,
      cc,
      children: attachmentChildren(mail.attachments),
    },
  };
}

/** The plain-text body; an HTML-only body converted to text. */
function bodyText(mail: ParsedMail): string {
  const text = mail.text?.replace(/\r\n?/g, '\n').trim();
  if (text && !mail.textConversionError) return text;
  if (typeof mail.html === 'string' && mail.html.trim()) {
    return htmlText(parseHTML(`<!doctype html><html><body>${mail.html}</body></html>`).document.body);
  }
  return text ?? '';
}

/** "Name <address>" strings, groups flattened. */
function addresses(header: AddressObject | AddressObject[] | undefined): string[] {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const flatten = (a: EmailAddress): EmailAddress[] => (a.group ? a.group.flatMap(flatten) : [a]);
  return objects
    .flatMap((o) => o.value.flatMap(flatten))
    .map((a) => (a.name && a.address ? `${a.name} <${a.address}>` : a.address || a.name))
    .filter((s) => s.length > 0);
}

/** The Date header in epoch ms. mailparser substitutes "now" for a date it cannot parse; we don't. */
function headerDate(mail: ParsedMail): number | undefined {
  const line = mail.headerLines.find((h) => h.key === 'date')?.line;
  if (!line) return undefined;
  const value = line.replace(/^date:/i, '').replace(/\s+/g, ' ').replace(/\([^)]*\)/g, ' ').trim();
  const ms = Date.parse(value);
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
    const type = attachment.contentType.toLowerCase();
    // Images the HTML body shows inline (signatures, logos) are part of the message, not files.
    if (attachment.related && type.startsWith('image/')) continue;
    const n = children.length + 1;
    let name = attachment.filename ? baseName(attachment.filename.trim()) : `attachment-${n}.${extensions[type] ?? 'bin'}`;
    if (type === 'message/rfc822' && !/\.eml$/i.test(name)) name += '.eml';
    const safe = name.normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 80);
    const content = attachment.content;
    children.push({
      key: `attachment-${n}-${safe}`,
      name,
      mime: type,
      bytes: new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
    });
  }
  return children;
}

function definedOnly(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
