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
 * errs high so packed prompts and chunks fit. English runs about 4 characters a token in BPE and
 * WordPiece vocabularies; 3 leaves room for code, numbers and rare words. Outside ASCII (CJK,
 * Cyrillic, accents, emoji) tokenizers give about a token a character or more, so each UTF-16
 * unit counts as one.
 */
export function estimateServerTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3) + other;
}
