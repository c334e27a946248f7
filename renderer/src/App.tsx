// A first, minimal window over the contract: the library's status (kept current by the engine's
// events) and a search box. It proves the whole path, renderer → client → transport → engine;
// the real views (chat, library, sources, models, settings) come next on the same client.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { IngestProgress, LibraryStatus, SearchResponse } from '../../app/contract/index.ts';
import { client } from './api/index.ts';

function useLibraryStatus(): { status: LibraryStatus | null; progress: IngestProgress | null; error: string | null } {
  const [status, setStatus] = useState<LibraryStatus | null>(null);
  const [progress, setProgress] = useState<IngestProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    client.api.library.status().then(
      (next) => {
        setStatus(next);
        setError(null);
      },
      (failure: Error) => setError(failure.message),
    );
  }, []);
  useEffect(() => {
    refresh();
    return client.onEvent((event) => {
      if (event.type === 'progress') {
        setProgress(event.currentFile === null ? null : event);
        if (event.currentFile === null) refresh();
      } else if (event.type === 'sources' || event.type === 'engine' || event.type === 'reembed-progress') {
        refresh();
      }
    });
  }, [refresh]);
  return { status, progress, error };
}

function StatusBar() {
  const { status, progress, error } = useLibraryStatus();
  if (error) return <p className="error" role="alert">{error}</p>;
  if (!status) return <p className="muted">Opening the library…</p>;
  const d = status.documents;
  return (
    <section className="status" aria-label="Library status" data-testid="status">
      <span data-testid="indexed">{d.indexed} indexed</span>
      <span>{d.skipped} skipped</span>
      <span>{d.failed} failed</span>
      {d.pending ? <span>{d.pending} pending</span> : null}
      <span>{status.chunks} passages</span>
      <span className="muted">{status.embedder ?? 'keyword search only'}</span>
      {progress ? (
        <span className="progress" data-testid="progress">
          indexing {progress.filesDone} of {Math.max(progress.filesTotal, progress.filesDone)}
        </span>
      ) : null}
    </section>
  );
}

function Search() {
  const [query, setQuery] = useState('');
  const [result, setResult] = useState<SearchResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!query.trim()) return;
    setBusy(true);
    try {
      setResult(await client.api.search.query({ query, k: 20 }));
      setError(null);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="search">
      <form onSubmit={submit} role="search">
        <input
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="Search your files and mail"
          aria-label="Search"
          autoFocus
        />
        <button type="submit" disabled={busy}>Search</button>
      </form>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {result?.notice ? <p className="muted">{result.notice}</p> : null}
      {result && result.hits.length === 0 ? <p className="muted">Nothing found.</p> : null}
      <ol className="hits" data-testid="hits">
        {result?.hits.map((hit) => (
          <li key={hit.chunkId}>
            <div className="title">{hit.title}</div>
            <div className="where">
              {hit.uri}
              {hit.page !== null ? ` · p. ${hit.page}` : ''}
              {hit.headingPath.length ? ` · ${hit.headingPath.join(' › ')}` : ''}
            </div>
            <p className="snippet">{hit.snippet}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function App() {
  return (
    <main>
      <header>
        <img src="./cairn.svg" alt="" width={28} height={28} />
        <h1>Cairn</h1>
      </header>
      <StatusBar />
      <Search />
    </main>
  );
}
