// Text from the library (file names, titles, subjects, senders, snippets, reasons, answers) on
// its way to a terminal. A document can hold escape sequences that retitle the window, clear the
// screen or recolour what follows, line breaks that fake a line of Cairn's own output, and bidi
// overrides that show "invoice\u202Egpj.exe" as "invoiceexe.jpg". Every such character is shown
// escaped instead (\x1b, \u202e), so what the user reads is what the document holds. The CLI
// builds its own layout (bold, line breaks) around pieces that went through here; --json output
// does not, and stays exact.
//
// Escaped: C0 controls, DEL and C1 controls (\p{Cc}); bidi embeddings, overrides and isolates
// (U+202A–202E, U+2066–2069); the line and paragraph separators (U+2028, U+2029). Left alone: the
// right-to-left and left-to-right marks (U+200E, U+200F, U+061C), which Hebrew and Arabic text
// needs and which only place neutral characters, never reverse a run.

const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;
const UNSAFE_IN_TEXT = /\r\n|[^\n\t\P{Cc}]|[\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED[char] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** A single-line field (a title, a path, a reason): every control and line break shown escaped. */
export function terminalLine(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** Text that has lines of its own (an answer, a message): keeps line breaks and tabs, escapes the rest. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, (match) => (match === '\r\n' ? '\n' : escape(match)));
}
