// Between any transport and the handlers: finds the method, validates its params with the
// method's schema, runs it, and validates what it returns. Never throws: a malformed message, an
// unknown method, bad params or a failing handler each become an ErrorBody with a clear message.
import { z } from 'zod';
import { CairnError, type ErrorBody } from '../contract/index.ts';
import { isMethodName, methods, type MethodName } from '../contract/api.ts';
import { describeIssues, WireErrorCode, WireRequest, type WireResponse } from '../contract/wire.ts';
import type { Handlers } from './handlers.ts';

export type CallOutcome = { result: unknown } | { error: ErrorBody };

export class Dispatcher {
  private readonly handlers: Handlers;
  private readonly onInternalError: (error: unknown) => void;

  constructor(handlers: Handlers, onInternalError: (error: unknown) => void = () => {}) {
    this.handlers = handlers;
    this.onInternalError = onInternalError;
  }

  /** Answers one message as it arrived on a channel. */
  async handle(raw: unknown): Promise<WireResponse> {
    const request = WireRequest.safeParse(raw);
    if (!request.success) {
      return { type: 'response', id: readableId(raw), error: { code: WireErrorCode.badMessage, message: `Not a Cairn request (${describeIssues(request.error)}).` } };
    }
    const { id, method, params } = request.data;
    return { type: 'response', id, ...(await this.call(method, params)) };
  }

  /** Calls a method by name with its params as they arrived. */
  async call(method: string, params: unknown): Promise<CallOutcome> {
    if (!isMethodName(method)) return { error: { code: WireErrorCode.unknownMethod, message: `Unknown method "${method.slice(0, 100)}".` } };
    const spec = methods[method];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) return { error: { code: WireErrorCode.badParams, message: `Invalid params for ${method}: ${describeIssues(parsed.error)}.` } };
    let value: unknown;
    try {
      value = await (this.handlers[method] as (params: unknown) => unknown)(parsed.data);
    } catch (error) {
      return { error: this.errorBody(method, error) };
    }
    const result = (spec.result as z.ZodType).safeParse(value);
    if (!result.success) {
      this.onInternalError(new Error(`${method} returned a result the contract refuses: ${describeIssues(result.error)}`));
      return { error: { code: WireErrorCode.badResult, message: `The engine's answer to ${method} does not match the contract (${describeIssues(result.error)}).` } };
    }
    return { result: result.data };
  }

  private errorBody(method: MethodName, error: unknown): ErrorBody {
    if (error instanceof CairnError) return { code: error.code, message: error.message };
    if (error instanceof z.ZodError) return { code: WireErrorCode.badParams, message: `Invalid params for ${method}: ${describeIssues(error)}.` };
    this.onInternalError(error);
    return { code: WireErrorCode.internal, message: `${method} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The id of a message that did not parse, when it has a usable one. */
function readableId(raw: unknown): number | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : null;
}
