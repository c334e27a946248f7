// Errors that cross the contract: a stable code and a message for people, never a stack trace.
import { z } from 'zod';

/** Every error that crosses the contract: a stable code and a message for people. */
export const ErrorBody = z.object({ code: z.string(), message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

export class CairnError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CairnError';
    this.code = code;
  }
}
