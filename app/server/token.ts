// The local API's bearer token: made on first start and kept in the library's settings (so tools
// configured once keep working), or given for one run; compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CairnError } from '../contract/index.ts';
import type { Library } from '../store/index.ts';

/** Library setting that holds the API token. */
export const API_TOKEN_SETTING = 'api-token';

/** Printable ASCII without spaces, long enough not to be guessed. */
const TOKEN_SHAPE = /^[\x21-\x7e]{16,512}$/;

export function newApiToken(): string {
  return `cairn-${randomBytes(24).toString('base64url')}`;
}

/**
 * The token for this run: the one given (checked, not stored), else the library's, else a new
 * one that is stored for the next runs.
 */
export function resolveApiToken(settings: Library['settings'], given?: string): { token: string; source: 'given' | 'stored' | 'new' } {
  if (given !== undefined) {
    if (!TOKEN_SHAPE.test(given)) {
      throw new CairnError('usage', 'An API token must be 16 to 512 printable characters without spaces (leave out --token to have one made for you).');
    }
    return { token: given, source: 'given' };
  }
  const stored = settings.get<string>(API_TOKEN_SETTING);
  if (typeof stored === 'string' && TOKEN_SHAPE.test(stored)) return { token: stored, source: 'stored' };
  const token = newApiToken();
  settings.set(API_TOKEN_SETTING, token);
  return { token, source: 'new' };
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether the request's "Authorization: Bearer …" is the token, in time that does not depend on how much of it matches. */
export function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return tokensMatch(match?.[1] ?? '', token);
}

/** Whether two secrets are equal, in time that does not depend on how much of them matches. */
export function tokensMatch(given: string, expected: string): boolean {
  // Hashed first: equal lengths for timingSafeEqual, and nothing learnt from the token's length.
  return timingSafeEqual(digest(given), digest(expected));
}
