// `cairn web`: choose the web search provider, try a search (what the provider returned, which
// pages were read and why others were skipped), and keep a page in the library.
import { dirname } from 'node:path';
import { CairnError } from '../contract/index.ts';
import type { Engine } from '../engine.ts';
import { openSecretStore } from '../sources/index.ts';
import { terminalLine } from './terminal-text.ts';
import { DEFAULT_BASE_URLS, PROVIDER_LABELS, secretName, WebProviderName, type WebLookup } from '../web/index.ts';

export interface WebCliValues {
  url?: string;
  json?: boolean;
}

export const WEB_USAGE = `  web                     show the web search provider (web search is off unless asked: ask --web)
  web set <provider>      searxng --url URL | brave | tavily | duckduckgo
  web key <provider>      store the provider's API key (read from stdin) in the secret store;
                          $CAIRN_WEB_API_KEY, when set, is used instead
  web off                 forget the provider
  web search "<query>"    what the provider returns and which pages would be read  [--json]
  web save <url>          keep a web page in the library`;

export async function runWebCommand(engine: Engine, args: string[], values: WebCliValues, out: (line: string) => void = console.log): Promise<number> {
  const [action = 'show', ...rest] = args;
  switch (action) {
    case 'show': {
      const setting = engine.web.setting();
      if (!setting) {
        out('Web search: not set up. Choose a provider: cairn web set searxng --url http://127.0.0.1:8888 (or brave, tavily, duckduckgo).');
        return 0;
      }
      out(`Web search: ${PROVIDER_LABELS[setting.provider]} at ${setting.baseUrl ?? DEFAULT_BASE_URLS[setting.provider]} (used only when a question asks for it: cairn ask --web)`);
      return 0;
    }
    case 'set': {
      const [name] = rest;
      const parsed = WebProviderName.safeParse(name);
      if (!parsed.success) {
        const choices = 'searxng (with --url), brave, tavily or duckduckgo';
        throw new CairnError('usage', name ? `Unknown web search provider "${name}"; choose ${choices}.` : `cairn web set needs a provider: ${choices}.`);
      }
      const setting = engine.web.setProvider({ provider: parsed.data, ...(values.url ? { baseUrl: values.url } : {}) });
      out(`Web search provider: ${PROVIDER_LABELS[setting.provider]} at ${setting.baseUrl ?? DEFAULT_BASE_URLS[setting.provider]}.`);
      if (setting.provider === 'brave' || setting.provider === 'tavily') {
        out(`Its API key: \`cairn web key ${setting.provider}\` (from stdin) or $CAIRN_WEB_API_KEY; it is never stored in the library.`);
      }
      return 0;
    }
    case 'key': {
      const parsed = WebProviderName.safeParse(rest[0]);
      if (!parsed.success || (parsed.data !== 'brave' && parsed.data !== 'tavily')) throw new CairnError('usage', 'cairn web key needs brave or tavily, with the key on stdin.');
      const key = (await readStdin()).trim();
      if (!key) throw new CairnError('usage', 'Give the key on stdin, e.g. `cat key.txt | cairn web key brave`.');
      const store = openSecretStore(dirname(engine.library.path));
      await store.set(secretName(parsed.data), key);
      out(`Key for ${PROVIDER_LABELS[parsed.data]} kept in ${store.description}.`);
      return 0;
    }
    case 'off':
      engine.web.clearProvider();
      out('Web search provider forgotten; questions use your library only.');
      return 0;
    case 'search': {
      const query = rest.join(' ').trim();
      if (!query) throw new CairnError('usage', 'cairn web search needs a query.');
      const lookup = await engine.web.lookup(query);
      if (values.json) out(JSON.stringify(lookup, null, 2));
      else out(formatLookup(lookup));
      return lookup.error ? 1 : 0;
    }
    case 'save': {
      const [url] = rest;
      if (!url) throw new CairnError('usage', 'cairn web save needs the address of a page.');
      const saved = await engine.saveWebPage(url);
      out(`Saved "${terminalLine(saved.title)}" (${saved.chunks} chunks) as document ${saved.documentId}.`);
      return 0;
    }
    default:
      throw new CairnError('usage', `Unknown web action: ${action}\n${WEB_USAGE}`);
  }
}

export function formatLookup(lookup: WebLookup): string {
  const lines: string[] = [];
  if (lookup.provider) lines.push(`${lookup.provider}${lookup.resultsFromCache ? ' (from the cache)' : ''}: ${lookup.results.length} results`);
  lookup.results.forEach((r, i) => {
    lines.push(`  ${i + 1}. ${terminalLine(r.title)}`, `     ${terminalLine(r.url)}`);
    if (r.snippet) lines.push(`     ${terminalLine(r.snippet)}`);
  });
  if (lookup.pages.length) {
    lines.push('', 'Pages:');
    for (const p of lookup.pages) {
      const how = p.read ? `read${p.truncated ? ' (up to the size cap)' : ''}` : `skipped: ${terminalLine(p.reason ?? '')}`;
      lines.push(`  ${p.read ? 'read   ' : 'skipped'}  ${terminalLine(p.url)}  ${p.read ? `"${terminalLine(p.title)}" ` : ''}(${how}${p.fromCache ? ', cached' : ''})`);
    }
  }
  if (lookup.chunks.length) {
    lines.push('', 'Best passages:');
    lookup.chunks.forEach((c, i) => lines.push(`  [${i + 1}] ${terminalLine(c.title)} — ${terminalLine(c.site)}: ${terminalLine(c.text.replace(/\s+/g, ' ').slice(0, 160))}…`));
  }
  if (lookup.error) lines.push('', `Web search failed: ${terminalLine(lookup.error.message)}`);
  else if (lookup.notice) lines.push('', terminalLine(lookup.notice));
  return lines.join('\n');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
