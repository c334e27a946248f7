// Main's answers to the `desktop.*` methods of the contract (the preload hands them over IPC):
// open a document's file in the system's viewer (at its page where possible), show it in the file
// manager, the system's open dialog, an http(s) link in the system's browser. Requests are
// validated with the contract's schemas like the engine's; a document is found through the engine
// (documents.get), so only files the library holds are ever opened, by path, never by a URL the
// page made up.
import { isAbsolute } from 'node:path';
import { methods, type DocumentDetail, type DocumentShown, type MethodName, type ParsedParamsOf as Params } from '../app/contract/api.ts';
import { CairnError, type ErrorBody } from '../app/contract/errors.ts';
import { describeIssues, WireErrorCode, WireRequest, type WireResponse } from '../app/contract/wire.ts';
import { isViewable } from './viewer.ts';
import { isWebUrl } from './window.ts';

export interface DesktopDeps {
  platform: 'darwin' | 'win32' | 'linux';
  /** A document as the engine has it (no chunks needed). */
  document(id: number): Promise<DocumentDetail>;
  exists(path: string): boolean;
  /** shell.openPath: resolves to '' when it opened, else the system's error. */
  openPath(path: string): Promise<string>;
  showItemInFolder(path: string): void;
  openExternal(url: string): Promise<void>;
  /** Opens a PDF at a page where the system's viewer can be told one; says whether it did. */
  openAtPage(path: string, page: number): Promise<boolean>;
  /** The system's open dialog; [] when cancelled. */
  choose(options: Params<'desktop.choosePaths'>): Promise<string[]>;
}

/** The file a document lives in: its own, or the one it came in (an attachment, a message of a mailbox file). */
async function fileOf(deps: DesktopDeps, id: number): Promise<{ doc: DocumentDetail; file: DocumentDetail | null }> {
  const doc = await deps.document(id);
  let current = doc;
  for (let depth = 0; depth < 16 && !current.path && current.parentId !== null; depth++) current = await deps.document(current.parentId);
  return { doc, file: current.path ? current : null };
}

function noFile(doc: DocumentDetail): CairnError {
  return doc.kind === 'email'
    ? new CairnError('no-file', 'This email is kept in your mail account, not in a file on this computer: there is no file to open.')
    : new CairnError('no-file', `${doc.title || doc.uri} has no file on this computer.`);
}

function existing(deps: DesktopDeps, path: string): string {
  if (!isAbsolute(path) || !deps.exists(path)) throw new CairnError('file-missing', `${path} is no longer there (moved or deleted?).`);
  return path;
}

async function openDocument(deps: DesktopDeps, { id, page }: Params<'desktop.openDocument'>): Promise<DocumentShown> {
  const { doc, file } = await fileOf(deps, id);
  if (!file) {
    if (doc.kind === 'web' && isWebUrl(doc.uri)) {
      await deps.openExternal(doc.uri);
      return { shown: 'opened', atPage: false, note: null };
    }
    throw noFile(doc);
  }
  const path = existing(deps, file.path!);
  const cameIn = file.id === doc.id ? null : `Opened ${file.title || path}, the file it came in.`;
  if (!isViewable(path)) {
    deps.showItemInFolder(path);
    return { shown: 'revealed', atPage: false, note: 'Shown in the file manager: Cairn does not open files that could run as programs (scripts, code, files of unknown type).' };
  }
  if (page !== undefined && file.id === doc.id && (await deps.openAtPage(path, page))) return { shown: 'opened', atPage: true, note: null };
  const failure = await deps.openPath(path);
  if (failure) throw new CairnError('open-failed', `The system could not open ${path}: ${failure}`);
  const pageNote = page !== undefined && page > 1 ? `Opened at its start: the system's viewer cannot be told to go to page ${page}.` : null;
  return { shown: 'opened', atPage: false, note: [cameIn, pageNote].filter(Boolean).join(' ') || null };
}

async function revealDocument(deps: DesktopDeps, { id }: Params<'desktop.revealDocument'>): Promise<DocumentShown> {
  const { doc, file } = await fileOf(deps, id);
  if (!file) throw noFile(doc);
  deps.showItemInFolder(existing(deps, file.path!));
  return { shown: 'revealed', atPage: false, note: file.id === doc.id ? null : `Showing ${file.title || file.path}, the file it came in.` };
}

async function run(deps: DesktopDeps, method: MethodName, params: unknown): Promise<unknown> {
  switch (method) {
    case 'desktop.info':
      return { available: true, platform: deps.platform };
    case 'desktop.openDocument':
      return openDocument(deps, params as Params<'desktop.openDocument'>);
    case 'desktop.revealDocument':
      return revealDocument(deps, params as Params<'desktop.revealDocument'>);
    case 'desktop.choosePaths':
      return { paths: await deps.choose(params as Params<'desktop.choosePaths'>) };
    case 'desktop.openExternal': {
      const { url } = params as Params<'desktop.openExternal'>;
      if (!isWebUrl(url)) throw new CairnError(WireErrorCode.badParams, 'Only http and https addresses are opened.');
      await deps.openExternal(url);
      return { opened: true };
    }
    default:
      throw new CairnError(WireErrorCode.unknownMethod, `The desktop app does not answer ${method}.`);
  }
}

/** Answers one `desktop.*` request as it came from the preload; never throws. */
export async function answerDesktop(raw: unknown, deps: DesktopDeps): Promise<WireResponse> {
  const request = WireRequest.safeParse(raw);
  if (!request.success) return { type: 'response', id: null, error: { code: WireErrorCode.badMessage, message: `Not a Cairn request (${describeIssues(request.error)}).` } };
  const { id, method } = request.data;
  if (!method.startsWith('desktop.') || !Object.hasOwn(methods, method)) {
    return { type: 'response', id, error: { code: WireErrorCode.unknownMethod, message: `Unknown desktop method "${method.slice(0, 100)}".` } };
  }
  const spec = methods[method as MethodName];
  const params = spec.params.safeParse(request.data.params ?? {});
  if (!params.success) return { type: 'response', id, error: { code: WireErrorCode.badParams, message: `Invalid params for ${method}: ${describeIssues(params.error)}.` } };
  try {
    const result = spec.result.parse(await run(deps, method as MethodName, params.data));
    return { type: 'response', id, result };
  } catch (error) {
    const body: ErrorBody = error instanceof CairnError ? { code: error.code, message: error.message } : { code: WireErrorCode.internal, message: `${method} failed: ${(error as Error).message}` };
    return { type: 'response', id, error: body };
  }
}
