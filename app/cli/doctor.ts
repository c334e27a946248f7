// `cairn doctor`: checks that every native piece Cairn needs works on this machine.
import os from 'node:os';
import { describeLlama } from '../../native/llama.ts';
import { defaultModelsDir } from '../llm/index.ts';
import { describeSqlite } from '../../native/sqlite.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export async function runDoctor(): Promise<DoctorCheck[]> {
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
  return checks;
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}
