// Keeps a message within the number of MIME parts it is read up to. mailparser's splitter fails a
// whole message past 1,000 nodes ("Max allowed child nodes exceeded"); instead the message is cut
// just before its first part over the limit, and the parts after it are only counted.

/** The message cut to its first `max` parts and how many parts were left out, or null when it has no more than `max`. */
export function cutToParts(bytes: Uint8Array, max: number): { bytes: Uint8Array; parts: number; leftOut: number } | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A first look costs no copy: a part opens on a line that starts with "--", so with no more of
  // those than the limit there are no more parts either.
  let dashLines = buffer[0] === 0x2d && buffer[1] === 0x2d ? 1 : 0;
  for (let at = buffer.indexOf('\n--'); at !== -1 && dashLines <= max; at = buffer.indexOf('\n--', at + 1)) dashLines++;
  if (dashLines <= max) return null;

  // latin1 maps bytes to characters one to one, so string offsets are byte offsets.
  const text = buffer.toString('latin1');
  const boundaries = new Set<string>();
  for (const match of text.matchAll(/\bboundary[ \t]*=[ \t]*(?:"([^"\r\n]+)"|([^\s;"]+))/gi)) boundaries.add(match[1] ?? match[2]!);
  let parts = 0;
  let cut = -1;
  for (let start = text.startsWith('--') ? 0 : lineAfter(text, 0); start !== -1; start = lineAfter(text, start + 1)) {
    const end = text.indexOf('\n', start);
    // "--boundary" opens a part; "--boundary--" closes the multipart and is not counted.
    const rest = text.slice(start + 2, end === -1 ? text.length : end).replace(/[ \t\r]+$/, '');
    if (!boundaries.has(rest)) continue;
    parts++;
    if (parts === max + 1) cut = start;
  }
  return cut === -1 ? null : { bytes: bytes.subarray(0, cut), parts, leftOut: parts - max };
}

/** The start of the next line that begins with "--", at or after `from`; -1 when none. */
function lineAfter(text: string, from: number): number {
  const at = text.indexOf('\n--', from);
  return at === -1 ? -1 : at + 1;
}
