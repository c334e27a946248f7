// MboxReader: splits a mailbox into its messages, each a child read by EmailReader. Message ends
// come from a Content-Length header when it proves right (mboxcl), else from the next "From "
// postmark after a blank line; ">From " lines are unquoted one level (mboxrd/mboxo).
import { isMboxPostmark } from './detect-format.ts';
import { baseName, skipped } from './results.ts';
import type { ChildInput, ExtractInput, ExtractResult } from './types.ts';

export async function readMbox({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  const messages = splitMbox(bytes);
  if (messages.length === 0) return skipped('empty', 'Mailbox has no messages');
  const children: ChildInput[] = messages.map((message, i) => ({
    key: `message-${i + 1}`,
    name: `message-${i + 1}.eml`,
    mime: 'message/rfc822',
    bytes: message,
  }));
  const count = `${messages.length} message${messages.length === 1 ? '' : 's'}`;
  return {
    ok: true,
    doc: {
      kind: 'file',
      title: baseName(name),
      mime: 'application/mbox',
      // The messages are documents of their own; this line only says what the file holds.
      sections: [{ text: `Mailbox ${baseName(name)}: ${count}`, headingPath: [] }],
      metadata: { messages: messages.length },
      children,
    },
  };
}

/** The raw bytes of each message in an mbox file, each in a buffer of its own. */
export function splitMbox(bytes: Uint8Array): Uint8Array[] {
  // latin1 maps bytes to characters one to one, so string offsets are byte offsets.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let pos = text.startsWith('\xef\xbb\xbf') ? 3 : 0;
  if (!isMboxPostmark(lineAt(text, pos))) {
    // No postmark at all: one message, as some tools save a single mail with an .mbox name.
    return text.slice(pos).trim() ? [bytes.slice(pos)] : [];
  }
  const messages: Uint8Array[] = [];
  while (pos < text.length) {
    const start = nextLine(text, pos);
    const { end, next, byLength } = findMessageEnd(text, start);
    let message = text.slice(start, end);
    if (!byLength) message = message.replace(/^>(>*From )/gm, '$1');
    if (message.trim()) messages.push(Uint8Array.from(Buffer.from(message, 'latin1')));
    pos = next;
  }
  return messages;
}

function findMessageEnd(text: string, start: number): { end: number; next: number; byLength: boolean } {
  const headerEnd = /\r?\n\r?\n/g;
  headerEnd.lastIndex = start;
  const blank = headerEnd.exec(text);
  const headers = blank ? text.slice(start, blank.index) : '';
  const length = /^content-length:[ \t]*(\d+)[ \t]*\r?$/im.exec(headers)?.[1];
  if (blank && length !== undefined) {
    const end = blank.index + blank[0].length + Number(length);
    const next = skipBlankLines(text, end);
    // Trust the header only if it lands on the next postmark (or the end of the file).
    if (end <= text.length && (next >= text.length || isMboxPostmark(lineAt(text, next)))) return { end, next, byLength: true };
  }
  for (let at = text.indexOf('\nFrom ', start - 1); at !== -1; at = text.indexOf('\nFrom ', at + 1)) {
    const line = lineAt(text, at + 1);
    const afterBlank = text.endsWith('\n\n', at + 1) || text.endsWith('\n\r\n', at + 1);
    if (isMboxPostmark(line) && (afterBlank || isStrongPostmark(line))) {
      // The blank line before a postmark belongs to the mbox format, not to the message.
      const end = afterBlank ? at + 1 - (text[at - 1] === '\r' ? 2 : 1) : at + 1;
      return { end, next: at + 1, byLength: false };
    }
  }
  return { end: text.length, next: text.length, byLength: false };
}

/**
 * Postmarks unlikely in prose, accepted without a blank line before them (as mbox writers that
 * escape body lines rely on): Thunderbird's "From - ..." and "From sender <time> <year>".
 */
function isStrongPostmark(line: string): boolean {
  return /^From (-( |$)|\S+ .*\b\d{1,2}:\d{2}\b.*\b\d{4}\b)/.test(line);
}

function lineAt(text: string, pos: number): string {
  const end = text.indexOf('\n', pos);
  return text.slice(pos, end === -1 ? text.length : end).replace(/\r$/, '');
}

function nextLine(text: string, pos: number): number {
  const end = text.indexOf('\n', pos);
  return end === -1 ? text.length : end + 1;
}

function skipBlankLines(text: string, pos: number): number {
  const match = /^(?:\r?\n)*/.exec(text.slice(pos, pos + 64));
  return pos + (match?.[0].length ?? 0);
}
