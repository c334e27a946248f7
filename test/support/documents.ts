// A document row for store-level tests: a plain indexed file, with any field overridden.
import type { DocumentInput } from '../../app/store/index.ts';

export function docInput(sourceId: number, path: string, extra: Partial<DocumentInput> = {}): DocumentInput {
  return {
    sourceId, parentId: null, uri: path, path, kind: 'file', title: path, mime: 'text/plain', size: 1, mtime: 1,
    contentHash: null, status: 'indexed', errorCode: null, reason: null, metadata: {}, date: null, sender: null,
    recipients: null, ...extra,
  };
}
