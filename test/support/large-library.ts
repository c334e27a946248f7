// A large library made straight in the store (no files, no extraction): `count` top-level
// documents with varied titles, kinds, sizes, dates and statuses, every thousandth with an
// attachment. A plain INSERT on the library's connection: 100,000 rows in a few seconds, where
// indexing as many files would take many minutes (and the upsert a pipeline uses, several times
// this). Titles are unique ("… 000042"), so a test can find any row by its number.
import type { DocumentStatus } from '../../app/contract/index.ts';
import { Library } from '../../app/store/index.ts';

const WORDS = ['report', 'invoice', 'notes', 'minutes', 'plan', 'letter', 'budget', 'draft', 'summary', 'contract', '报告', '会议纪要'];
/** 7 in 10 indexed, then one each skipped, failed and pending. */
const STATUSES: DocumentStatus[] = ['indexed', 'indexed', 'indexed', 'indexed', 'indexed', 'indexed', 'indexed', 'skipped', 'failed', 'pending'];
const DAY = 86_400_000;

export interface LargeLibrary {
  /** The folder source (file documents) and the mailbox source (every fifth document, an email). */
  folderId: number;
  mailboxId: number;
}

export function largeDocumentTitle(i: number): string {
  // The first word changes every ten documents, so each word comes with every status (i % 10).
  return `${WORDS[Math.floor(i / 10) % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${String(i).padStart(6, '0')}`;
}

export function fillLibrary(dbPath: string, count: number): LargeLibrary {
  const library = Library.open(dbPath);
  try {
    const insert = library.db.prepare(
      `INSERT INTO documents (source_id, parent_id, uri, path, kind, title, mime, size, status, error_code, reason, metadata, date, sender, indexed_at)
       VALUES (@sourceId, @parentId, @uri, @path, @kind, @title, @mime, @size, @status, @code, @reason, '{}', @date, @sender, @indexedAt) RETURNING id`,
    );
    return library.transaction(() => {
      const folder = library.sources.ensure('folder', '/data/archive', 'archive');
      const mailbox = library.sources.ensure('mailbox', 'imap://me@mail.example', 'me@mail.example');
      // An account as mail.add stores it, paused: a window serving this library never connects to it.
      library.sources.setConfig(mailbox.id, { host: 'mail.example', port: 993, security: 'tls', user: 'me', auth: 'password', folders: ['INBOX'] });
      library.sources.setPaused(mailbox.id, true);
      const now = Date.now();
      for (let i = 0; i < count; i++) {
        const status = STATUSES[i % STATUSES.length]!;
        const email = i % 5 === 4;
        const path = email ? 'INBOX' : `/data/archive/folder${i % 97}/doc${i}.${['pdf', 'md', 'docx'][i % 3]}`;
        const row = {
          sourceId: email ? mailbox.id : folder.id, parentId: null, uri: email ? `imap://me@mail.example/INBOX/${i}` : path, path,
          kind: email ? 'email' : 'file', title: largeDocumentTitle(i), mime: email ? 'message/rfc822' : null, size: 1_000 + ((i * 7919) % 5_000_000),
          status, code: status === 'failed' ? 'damaged' : status === 'skipped' ? 'empty' : null,
          reason: status === 'failed' ? 'The PDF could not be parsed.' : status === 'skipped' ? 'The file is empty.' : null,
          date: 1_600_000_000_000 + ((i * 104_729) % 1_500) * DAY, sender: email ? 'Ann <ann@example.com>' : null, indexedAt: now - i,
        };
        const { id } = insert.get(row) as { id: number };
        if (i % 1000 === 0) {
          insert.get({ ...row, parentId: id, uri: `${row.uri}#attachment`, kind: 'file', title: 'attachment.txt', mime: 'text/plain', size: 10, status: 'indexed', code: null, reason: null });
        }
      }
      return { folderId: folder.id, mailboxId: mailbox.id };
    });
  } finally {
    library.close();
  }
}
