// Opening a document's file in the system's viewer, safely, and at a page where that can be done.
//
// A file is opened only when its type is a document (PDF, Word, text, Markdown, HTML, an email, a
// spreadsheet, an image…): Cairn also indexes scripts and source code, and "opening" a .bat, .js or
// .ps1 on Windows, or an executable file on macOS, runs it. Anything else is shown in the file
// manager instead.
//
// Pages: no system opener takes a page (macOS `open`, Windows' shell, `xdg-open`), nor do Preview
// or Windows' default viewers. On Linux the default PDF viewer is asked (`xdg-mime`), and Evince,
// Atril, Xreader, Okular and Zathura are started at the page themselves; elsewhere the file opens
// at its start and the result says so.
import { spawn, spawnSync } from 'node:child_process';
import { extname } from 'node:path';

/** Extensions whose files are documents to look at, never programs to run. */
const VIEWABLE = new Set([
  'pdf', 'docx', 'doc', 'odt', 'rtf', 'txt', 'text', 'md', 'markdown', 'mdown', 'mkd', 'html', 'htm', 'xhtml',
  'eml', 'msg', 'csv', 'tsv', 'xlsx', 'xls', 'ods', 'pptx', 'ppt', 'odp', 'epub', 'ipynb',
  'png', 'jpg', 'jpeg', 'gif', 'webp', 'tif', 'tiff', 'bmp', 'heic',
]);

export function isViewable(path: string): boolean {
  return VIEWABLE.has(extname(path).slice(1).toLowerCase());
}

/** The command that starts a Linux PDF viewer (by its .desktop id) at a page, or null when it takes none. */
export function pageCommand(desktopId: string, file: string, page: number): { command: string; args: string[] } | null {
  const id = desktopId.toLowerCase();
  const n = String(page);
  if (id.includes('evince')) return { command: 'evince', args: [`--page-index=${n}`, file] };
  if (id.includes('atril')) return { command: 'atril', args: [`--page-index=${n}`, file] };
  if (id.includes('xreader')) return { command: 'xreader', args: [`--page-index=${n}`, file] };
  if (id.includes('okular')) return { command: 'okular', args: ['--page', n, file] };
  if (id.includes('zathura')) return { command: 'zathura', args: [`--page=${n}`, file] };
  return null;
}

/** Starts a program detached from Cairn; resolves whether it started. */
function startDetached(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

/** Linux: opens a PDF at a page with the default viewer when it is one that takes a page; says whether it did. */
export async function openPdfAtPage(file: string, page: number, platform: NodeJS.Platform): Promise<boolean> {
  if (platform !== 'linux' || extname(file).toLowerCase() !== '.pdf') return false;
  const query = spawnSync('xdg-mime', ['query', 'default', 'application/pdf'], { encoding: 'utf8', timeout: 3000 });
  const command = query.status === 0 ? pageCommand(query.stdout.trim(), file, page) : null;
  return command ? startDetached(command.command, command.args) : false;
}
