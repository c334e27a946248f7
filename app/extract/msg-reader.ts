// MsgReader: an Outlook message saved as .msg (an OLE compound file), read with msgreader: an
// email document like an .eml (subject, sender, recipients, date, body) whose attachments, and
// messages attached to it, become child documents.
import msgreader, { type FieldsData } from '@kenjiuno/msgreader';
import { parseHTML } from 'linkedom';
import { htmlText } from './html-sections.ts';
import { failed, shortMessage } from './results.ts';
import type { ChildInput, ExtractInput, ExtractResult } from './types.ts';

// A CommonJS package with an ES default export: Node hands over its whole exports object.
const MsgFileReader = msgreader.default;
type MsgFileReader = InstanceType<typeof MsgFileReader>;

export async function readMsg({ bytes }: ExtractInput): Promise<ExtractResult> {
  let reader: MsgFileReader;
  let fields: FieldsData;
  try {
    reader = new MsgFileReader(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    fields = reader.getFileData();
  } catch (error) {
    return failed('damaged', `Outlook message is damaged: ${shortMessage(error)}`);
  }
  if (fields.error) return failed('damaged', `Outlook message is damaged: ${fields.error}`);
  if (fields.dataType !== 'msg') return failed('damaged', 'Outlook message is damaged: not a message (.msg) file');

  const subject = (fields.subject ?? '').replace(/\s+/g, ' ').trim();
  const senderAddress = fields.senderSmtpAddress || fields.senderEmail;
  const from = person(fields.senderName, senderAddress);
  const recipients = (fields.recipients ?? []).map((r) => ({ kind: r.recipType ?? 'to', who: person(r.name, r.smtpAddress || r.email) })).filter((r) => r.who);
  const to = recipients.filter((r) => r.kind === 'to').map((r) => r.who!);
  const cc = recipients.filter((r) => r.kind === 'cc').map((r) => r.who!);
  const date = messageDate(fields);
  const headers = [
    subject && `Subject: ${subject}`,
    from && `From: ${from}`,
    to.length > 0 && `To: ${to.join(', ')}`,
    cc.length > 0 && `Cc: ${cc.join(', ')}`,
  ].filter(Boolean).join('\n');
  const body = [headers, bodyText(fields)].filter(Boolean).join('\n\n');

  const children: ChildInput[] = [];
  for (const attachment of fields.attachments ?? []) {
    if (attachment.attachmentHidden) continue; // inline images of the HTML body
    try {
      const data = reader.getAttachment(attachment);
      const n = children.length + 1;
      // eslint-disable-next-line no-control-regex -- control characters are what this removes
      const name = (data.fileName || attachment.fileName || attachment.name || `attachment-${n}`).replace(/[\u0000-\u001f]/g, '');
      const safe = name.normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 80);
      children.push({
        key: `attachment-${n}-${safe}`,
        name: attachment.innerMsgContent && !/\.msg$/i.test(name) ? `${name}.msg` : name,
        ...(attachment.attachMimeTag ? { mime: attachment.attachMimeTag } : {}),
        bytes: data.content,
      });
    } catch {
      // An attachment that cannot be taken out costs only itself.
    }
  }

  return {
    ok: true,
    doc: {
      kind: 'email',
      title: subject || '(no subject)',
      mime: 'application/vnd.ms-outlook',
      sections: body ? [{ text: body, headingPath: [] }] : [],
      metadata: {
        ...(subject ? { subject } : {}),
        ...(from ? { from } : {}),
        ...(to.length ? { to } : {}),
        ...(cc.length ? { cc } : {}),
        ...(date === undefined ? {} : { date: new Date(date).toISOString() }),
      },
      ...(date === undefined ? {} : { date }),
      ...(from ? { from } : {}),
      to,
      cc,
      children,
    },
  };
}

function person(name: string | undefined, address: string | undefined): string | undefined {
  const n = name?.trim() ?? '';
  const a = address?.trim() ?? '';
  if (n && a && n !== a) return `${n} <${a}>`;
  return a || n || undefined;
}

/** The Date header of the transport headers, else when it was sent, else when it arrived. */
function messageDate(fields: FieldsData): number | undefined {
  const header = /^Date:[ \t]*(.+(?:\r?\n[ \t].+)*)/im.exec(fields.headers ?? '')?.[1];
  for (const value of [header, fields.clientSubmitTime, fields.messageDeliveryTime]) {
    const ms = value ? Date.parse(value.replace(/\s+/g, ' ')) : NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}

function bodyText(fields: FieldsData): string {
  const plain = fields.body?.replace(/\r\n?/g, '\n').trim();
  if (plain) return plain;
  const html = fields.bodyHtml ?? (fields.html ? new TextDecoder().decode(fields.html) : '');
  return html.trim() ? htmlText(parseHTML(`<!doctype html><html><body>${html}</body></html>`).document.body) : '';
}
