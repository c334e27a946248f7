// The method table implemented over the engine: one handler a method, each given its params
// already validated by the method's schema (the dispatcher does that, and checks the result).
// What takes long (indexing, syncing, downloads, answers) starts here and reports by events.
import { resolve } from 'node:path';
import { CairnError, type DocumentProblem } from '../contract/index.ts';
import { DESKTOP_ONLY, type DocumentDetail, type DocumentSummary, type MethodName, type ParsedParamsOf, type ResultOf } from '../contract/api.ts';
import { conversationToMarkdown } from '../chat/index.ts';
import type { ListedDocument } from '../store/index.ts';
import { AnswerRunner } from './answers.ts';
import { documentFileRange, documentText } from './document-content.ts';
import type { EngineHost } from './host.ts';
import { ModelService } from './models.ts';
import { forgetWebKey, readSettings, replaceApiToken, storeWebKey, updateSettings } from './settings.ts';

export type Handler<M extends MethodName> = (params: ParsedParamsOf<M>) => Promise<ResultOf<M>> | ResultOf<M>;
export type Handlers = { [M in MethodName]: Handler<M> };

/** The version the engine reports (package.json's, set by the build; 'dev' when run from source). */
const VERSION = process.env.CAIRN_VERSION ?? 'dev';

export interface ServiceParts {
  handlers: Handlers;
  answers: AnswerRunner;
  models: ModelService;
}

export function createHandlers(host: EngineHost): ServiceParts {
  const { engine } = host;
  const { library } = engine;
  const answers = new AnswerRunner(engine.chat, (event) => host.emit(event));
  const models = new ModelService(host);

  const documentSummary = (d: ListedDocument): DocumentSummary => d;

  /** Syncs mail in the background; its state and any failure come as source-state events. */
  const syncSoon = (ids?: number[]) => {
    void engine.mail.sync(ids).catch(() => {
      // Told through the account's state (error with the reason).
    });
  };

  /** Desktop actions reach the engine only where there is no desktop app to answer them (a browser). */
  const desktopOnly = (what: string) => (): never => {
    throw new CairnError(DESKTOP_ONLY, `${what} works in the Cairn desktop app, not in a browser.`);
  };

  const handlers: Handlers = {
    'engine.info': () => ({ version: VERSION, dbPath: library.path, pid: process.pid }),

    'library.status': () => engine.status(),
    'library.add': ({ paths }) => {
      const added = engine.add(paths);
      if (added.importId !== null) host.indexSoon();
      return added;
    },
    'library.remove': ({ path }) => {
      const removed = engine.remove(path);
      host.pushSources();
      return { removed };
    },
    'library.index': () => ({ started: host.indexSoon() }),

    'documents.list': (query) => {
      const page = library.listing.page(query);
      return { total: page.total, items: page.items.map(documentSummary) };
    },
    'documents.get': ({ id, chunkLimit }): DocumentDetail => {
      const doc = library.listing.detail(id);
      if (!doc) throw new CairnError('not-found', `No document with id ${id}.`);
      return {
        ...doc,
        chunkList: chunkLimit > 0 ? library.listing.chunks(id, chunkLimit) : [],
        chunksTotal: doc.chunks,
        childList: library.listing.children(id).map(documentSummary),
      };
    },
    'documents.counts': (filter) => library.listing.counts(filter),
    'documents.remove': ({ id }) => {
      const removed = engine.removeDocument(id);
      host.pushSources();
      return { removed };
    },
    'documents.reindex': ({ id }) => {
      const retried = engine.retry({ id });
      if (retried.importId !== null) host.indexSoon();
      return { queued: retried.queued > 0 };
    },
    'documents.retry': (target) => {
      const retried = engine.retry(target);
      if (retried.importId !== null) host.indexSoon();
      return retried;
    },
    'documents.text': ({ id, chunkId }) => documentText(library, id, chunkId),
    'documents.file': ({ id, offset, length }) => documentFileRange(library, id, offset, length),
    'documents.problems': ({ offset, limit }) => {
      const page = library.listing.problems(offset, limit);
      return { total: page.total, items: page.items satisfies DocumentProblem[] };
    },

    'imports.list': () => engine.imports(),
    'imports.get': ({ id, offset, limit }) => engine.importSummary(id, offset, limit),
    'imports.pause': ({ id }) => engine.setImportPaused(id, true),
    'imports.resume': ({ id }) => {
      const status = engine.setImportPaused(id, false);
      host.indexSoon();
      return status;
    },
    'imports.cancel': ({ id }) => engine.cancelImport(id),
    'imports.clear': () => ({ removed: engine.clearImports() }),

    'sources.list': () => host.sources(),
    'sources.pause': ({ sourceId }) => host.pause(sourceId),
    'sources.resume': ({ sourceId }) => host.resume(sourceId),
    'folders.add': ({ path, include, exclude, maxFileBytes }) => {
      const source = engine.addFolder(path, { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}), ...(maxFileBytes ? { maxFileBytes } : {}) });
      // Watched (and so scanned) at once when the engine is live; else scanned once now.
      if (!host.isLive) void engine.folders.scan().catch(() => {});
      host.pushSources();
      return host.source(source.id);
    },
    'folders.remove': async ({ sourceId }) => {
      const source = host.source(sourceId);
      if (source.kind !== 'folder') throw new CairnError('not-a-folder', `Source ${sourceId} is a ${source.kind}, not a watched folder.`);
      const removed = await engine.removeFolder(source.uri);
      host.pushSources();
      return { removed };
    },

    'mail.test': (input) => engine.mail.test(input),
    'mail.add': async (input) => {
      const account = await engine.mail.add(input);
      if (host.isLive) host.watchMail(account.sourceId);
      else syncSoon([account.sourceId]);
      host.pushSources();
      return account;
    },
    'mail.list': () => {
      const paused = engine.pausedSources();
      return engine.mail.list().map((a) => (paused.has(a.sourceId) ? { ...a, state: { state: 'paused' as const } } : a));
    },
    'mail.sync': ({ sourceId }) => {
      const paused = engine.pausedSources();
      const ids = sourceId === undefined ? engine.mail.list().map((a) => a.sourceId).filter((id) => !paused.has(id)) : [sourceId];
      if (sourceId !== undefined && !engine.mail.list().some((a) => a.sourceId === sourceId)) throw new CairnError('mail-unknown-account', `No mailbox with id ${sourceId}.`);
      if (sourceId !== undefined && paused.has(sourceId)) throw new CairnError('source-paused', 'This mailbox is paused: resume it to sync.');
      if (ids.length === 0) return { started: false };
      syncSoon(ids);
      return { started: true };
    },
    'mail.remove': async ({ sourceId }) => {
      const account = engine.mail.list().find((a) => a.sourceId === sourceId);
      if (!account) throw new CairnError('mail-unknown-account', `No mailbox with id ${sourceId}.`);
      await host.stopMail(sourceId);
      await engine.mail.remove(sourceId);
      host.pushSources();
      return { removed: account.messages };
    },

    'search.query': (request) => engine.search(request),

    'conversations.list': () => engine.chat.listConversations(),
    'conversations.get': ({ id }) => engine.chat.getConversation(id),
    'conversations.create': (input) => engine.chat.createConversation(input),
    'conversations.rename': ({ id, title }) => engine.chat.renameConversation(id, title),
    'conversations.update': ({ id, scope, filters, settings }) => {
      const current = engine.chat.getConversation(id);
      library.conversations.update(id, { ...(scope ? { scope } : {}), ...(filters ? { filters } : {}), ...(settings ? { settings: { ...current.settings, ...settings } } : {}) });
      const { messages: _, ...summary } = engine.chat.getConversation(id);
      return summary;
    },
    'conversations.delete': ({ id }) => {
      answers.stop(id);
      engine.chat.deleteConversation(id);
      return { deleted: true };
    },
    'conversations.export': ({ id }) => {
      const conversation = engine.chat.getConversation(id);
      const name = conversation.title.replace(/[^\p{L}\p{N} _-]+/gu, '').trim().slice(0, 60) || `conversation-${id}`;
      return { fileName: `${name}.md`, markdown: conversationToMarkdown(conversation) };
    },

    'chat.ask': (request) => answers.start(request.conversationId, (options) => engine.chat.ask(request, options)),
    'chat.regenerate': ({ conversationId, web }) =>
      answers.start(conversationId, (options) => engine.chat.regenerate(conversationId, web === undefined ? options : { ...options, web })),
    'chat.edit': ({ messageId, question, web }) => {
      const message = library.conversations.message(messageId);
      if (!message || message.role !== 'user') throw new CairnError('not-found', `No question with id ${messageId}.`);
      return answers.start(message.conversationId, (options) => engine.chat.editAndResend(messageId, question, web === undefined ? options : { ...options, web }));
    },
    'chat.stop': ({ conversationId }) => ({ stopped: answers.stop(conversationId) }),

    'models.catalog': () => models.catalog(),
    'models.list': () => models.state(),
    'models.pull': ({ model }) => models.pull(model),
    'models.cancelPull': ({ file }) => ({ cancelled: models.cancel(file) }),
    'models.import': ({ path }) => host.models.import(resolve(path)),
    'models.remove': async ({ name }) => ({ removed: await host.models.remove(name) }),
    'models.useChat': (choice) => models.useChat(choice),
    'models.useEmbedding': (choice) => models.useEmbedding(choice),
    'models.hardware': () => engine.hardware(),

    'settings.get': () => readSettings(host),
    'settings.update': async (patch) => {
      updateSettings(engine, patch);
      // OCR on (or reading in other languages): the pages waiting are read in the background, as
      // `cairn index` reads them after `cairn ocr on`. Off: the run under way stops after its page.
      if (patch.ocr && engine.ocrSettings().enabled) host.indexSoon();
      await host.settingsChanged();
      return readSettings(host);
    },
    'settings.setWebKey': ({ provider, key }) => storeWebKey(engine, provider, key),
    'settings.forgetWebKey': async ({ provider }) => {
      await forgetWebKey(engine, provider);
      return readSettings(host);
    },
    'settings.newApiToken': async () => {
      replaceApiToken(engine);
      await host.settingsChanged();
      return readSettings(host);
    },

    'desktop.info': () => ({ available: false, platform: null }),
    'desktop.openDocument': desktopOnly('Opening a document in its viewer'),
    'desktop.revealDocument': desktopOnly('Showing a file in the file manager'),
    'desktop.choosePaths': desktopOnly("Choosing files with the system's dialog"),
    'desktop.openExternal': desktopOnly('Opening a link from Cairn'),
  };
  return { handlers, answers, models };
}
