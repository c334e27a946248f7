// Plain words for what went wrong talking to a server over HTTP: shared by every client of a
// remote service (embedding and chat servers, model downloads), and the token estimate for
// models behind a server.
import { z } from 'zod';

const MAX_MESSAGE = 300;

/** undici's "fetch failed" says nothing; the cause has the system error code. */
export function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause instanceof Error && 'code' in cause ? String(cause.code) : error instanceof Error && 'code' in error ? String(error.code) : undefined;
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found (are you offline?)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed';
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

const ErrorResponse = z.object({
  error: z.union([z.string(), z.object({ message: z.string() })]).optional(),
  message: z.string().optional(),
});

/** ": <the server's own error message>", from OpenAI's {error: {message}} and its variants, or the raw body. */
export function serverMessage(body: string): string {
  let message = body;
  try {
    const parsed = ErrorResponse.safeParse(JSON.parse(body));
    if (parsed.success) {
      const { error, message: topMessage } = parsed.data;
      message = (typeof error === 'string' ? error : error?.message) ?? topMessage ?? body;
    }
  } catch {
    // Not JSON: the raw body is the message.
  }
  message = message.replace(/\s+/g, ' ').trim();
  return message === '' ? '' : `: ${truncateMessage(message)}`;
}

/** A server's text cut to a length that fits in an error message. */
export function truncateMessage(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/**
 * Tokens in `text` for a model behind a server, whose tokenizer is not at hand: an estimate that
 * errs high so packed prompts and chunks fit, measured against Llama 2's tokenizer (32k
 * vocabulary, the least thrifty still served; see test/net). Words: English runs about 4
 * characters a token; 3 leaves room for rare words. A space goes with the word after it; before
 * anything else it is a token of its own. Digits, punctuation and symbols: a token each (most
 * tokenizers split numbers into single digits). Chinese and Japanese: 1.5 a character, Korean 2
 * (byte pieces for rare ones); other letters outside ASCII: one; emoji: one a UTF-8 byte.
 * Letters that make no words (hashes, base64, capitals, some names) can take more in Llama 2's
 * tokenizer, about 2.5 characters a token; today's vocabularies take fewer.
 */
export function estimateServerTokens(text: string): number {
  let wordChars = 0;
  let tokens = 0;
  let spaces = 0;
  for (const char of text) {
    const c = char.codePointAt(0)!;
    if (c === 32) {
      spaces++;
      continue;
    }
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    // The spaces before this character: part of a word, or tokens of their own.
    if (letter) wordChars += spaces;
    else tokens += spaces;
    spaces = 0;
    if (letter) wordChars++;
    else if (c < 128) tokens++;
    else if (c > 0xffff) tokens += 4;
    else if (c >= 0xac00 && c <= 0xd7af) tokens += 2; // Hangul syllables
    else if ((c >= 0x2e80 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef)) tokens += 1.5; // CJK, kana, full-width forms
    else tokens++;
  }
  return Math.ceil(wordChars / 3 + tokens + spaces);
}
