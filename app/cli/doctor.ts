// `cairn doctor`: checks that every native piece Cairn needs works on this machine, and that the
// library file is sound; `cairn doctor --repair` recovers a damaged library.
import os from 'node:os';
import { describeLlama } from '../../native/llama.ts';
import { defaultModelsDir } from '../llm/index.ts';
import { analyze } from '../search/index.ts';
import { checkLibrary, repairLibrary } from '../store/index.ts';
import { describeSqlite } from '../../native/sqlite.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export async function runDoctor(libraryPath: string): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({ name: 'Node.js', ok: major >= 22, detail: `${process.versions.node}${major >= 22 ? '' : ' (Cairn needs 22 or newer)'}` });
  try {
    const sqlite = describeSqlite();
    checks.push({ name: 'SQLite', ok: true, detail: `${sqlite.sqliteVersion}, FTS5 ${sqlite.fts5 ? 'available' : 'missing'}` });
    checks.push({ name: 'sqlite-vec', ok: true, detail: `${sqlite.vecVersion} (${sqlite.extensionPath})` });
  } catch (error) {
    checks.push({ name: 'SQLite + sqlite-vec', ok: false, detail: (error as Error).message });
  }
  const llama = await describeLlama();
  const gpu = llama.backend === 'cpu'
    ? `CPU, ${llama.cpuThreads} threads`
    : `${llama.backend.toUpperCase()} on ${llama.devices.join(', ') || 'unknown device'}${llama.vramTotalBytes ? `, ${gib(llama.vramFreeBytes ?? 0)} of ${gib(llama.vramTotalBytes)} GiB VRAM free` : ''}`;
  checks.push({ name: 'llama.cpp', ok: llama.ok, detail: llama.ok ? `${gpu}${llama.warning ? ` (${llama.warning})` : ''}` : (llama.error ?? 'not loaded') });
  checks.push({ name: 'memory', ok: true, detail: `${gib(os.freemem())} of ${gib(os.totalmem())} GiB RAM free; models in ${defaultModelsDir()} (cairn models list)` });
  checks.push(libraryCheck(libraryPath));
  return checks;
}

function libraryCheck(path: string): DoctorCheck {
  const check = checkLibrary(path);
  if (check.missing) return { name: 'library', ok: true, detail: `none yet at ${path}` };
  if (check.ok) return { name: 'library', ok: true, detail: `${path}: sound (checked in ${check.seconds.toFixed(1)} s)` };
  const found = check.problems.length ? check.problems.slice(0, 2).join('; ') : `earlier: ${check.earlierDamage}`;
  return { name: 'library', ok: false, detail: `${path} is damaged (${found}); \`cairn doctor --repair\` recovers what can be read` };
}

/** `cairn doctor --repair`: recovers the library when it is damaged; lines for the terminal. */
export function repair(path: string): string[] {
  const check = checkLibrary(path);
  if (check.missing) return [`There is no library at ${path}.`];
  if (check.ok) return [`The library at ${path} is sound (checked in ${check.seconds.toFixed(1)} s): nothing to repair.`];
  const report = repairLibrary(path, analyze);
  const lines = [`Recovered the library at ${path} in ${report.seconds.toFixed(1)} s:`];
  const width = Math.max(...report.tables.map((t) => t.table.length));
  for (const t of report.tables) {
    if (t.copied === 0 && t.unreadable.length === 0 && t.refused === 0) continue;
    const lost = [...t.unreadable.map((u) => `${u} could not be read`), ...(t.refused ? [`${t.refused} unreadable rows refused`] : [])];
    lines.push(`  ${t.table.padEnd(width)}  ${t.copied} row${t.copied === 1 ? '' : 's'} copied${lost.length ? `; ${lost.join('; ')}` : ''}`);
  }
  if (report.orphans) lines.push(`  ${report.orphans} rows dropped: what they belonged to was lost (chunks of a lost document, its vectors...)`);
  if (report.skipped.length) lines.push(`  not copied: ${report.skipped.join(', ')}`);
  lines.push('The full-text index and the vector index were rebuilt from what was recovered.');
  if (report.incomplete) lines.push(`${report.incomplete} documents lost part of their text: they are read again by the next \`cairn add\` of their folder (or \`cairn watch\`).`);
  const lostDocuments = report.orphans > 0 || report.tables.some((t) => ['documents', 'chunks'].includes(t.table) && t.unreadable.length > 0);
  if (lostDocuments) {
    lines.push('Files whose documents were lost are indexed again the same way.');
    if (report.mailAccounts) lines.push('Mail whose messages were lost comes back by removing the account and adding it again (`cairn mail remove`, `cairn mail add`).');
  }
  lines.push(`The damaged file is kept as ${report.keptAs}.`);
  return lines;
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}
