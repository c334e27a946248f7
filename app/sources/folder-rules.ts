// Which files of a watched folder are indexed: include and exclude glob patterns, kept in the
// source's config, plus defaults that leave out what nobody wants searched (VCS and dependency
// folders, hidden files, editor and download leftovers) and files above a size limit.
import { relative, sep } from 'node:path';

export interface FolderRules {
  /** Files must match one of these (none: every file). Folders are never excluded by includes. */
  include: string[];
  /** Files and folders matching one of these are left out; an excluded folder is never walked. */
  exclude: string[];
  /** Files larger than this are left out. */
  maxFileBytes: number;
}

/**
 * Always applied, besides the source's own excludes. `.*` covers `.git`, `.DS_Store`, Emacs
 * lock files (`.#x`) and every hidden file or folder.
 */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.*', 'node_modules', '~$*', '*~', '*.swp', '*.swo', '*.swx', '*.tmp', '*.temp', '*.part', '*.partial',
  '*.crdownload', '*.download', 'Thumbs.db', 'desktop.ini',
];

export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

/** Rules from a source's stored config (or from a user), with defaults where absent. */
export function folderRules(config: unknown): FolderRules {
  const c = (config && typeof config === 'object' ? config : {}) as Partial<Record<keyof FolderRules, unknown>>;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim()) : []);
  const max = typeof c.maxFileBytes === 'number' && c.maxFileBytes > 0 ? c.maxFileBytes : DEFAULT_MAX_FILE_BYTES;
  return { include: strings(c.include), exclude: strings(c.exclude), maxFileBytes: max };
}

const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin';

/**
 * A glob as a regular expression over `/`-separated relative paths: `*` and `?` stay inside one
 * segment, `**` spans segments, `{a,b}` is a choice, `[...]` a character class.
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
      } else {
        const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else if (ch === '{') {
      braces++;
      out += '(?:';
    } else if (ch === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (ch === ',' && braces > 0) {
      out += '|';
    } else {
      out += ch.replace(/[.+^$()|\\{}\]]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`, caseInsensitive ? 'i' : '');
}

interface CompiledGlob {
  re: RegExp;
  /** Patterns without a `/` match a name at any depth (as in .gitignore); others the path from the root. */
  byName: boolean;
}

function compile(patterns: readonly string[]): CompiledGlob[] {
  return patterns.map((p) => {
    const pattern = p.replace(/\\/g, '/').replace(/\/+$/, '');
    const byName = !pattern.includes('/');
    return { re: globToRegExp(pattern.replace(/^\//, '')), byName };
  });
}

/** The rules of one folder, compiled, answering for absolute paths below its root. */
export class FolderFilter {
  readonly root: string;
  readonly rules: FolderRules;
  private readonly include: CompiledGlob[];
  private readonly exclude: CompiledGlob[];

  constructor(root: string, rules: FolderRules) {
    this.root = root;
    this.rules = rules;
    this.include = compile(rules.include);
    this.exclude = compile([...DEFAULT_EXCLUDES, ...rules.exclude]);
  }

  /** The path from the root with `/` separators ('' for the root itself). */
  relative(path: string): string {
    const rel = relative(this.root, path);
    return sep === '/' ? rel : rel.split(sep).join('/');
  }

  /** Whether a file or folder is excluded by its own name or path (not its ancestors'). */
  excluded(path: string): boolean {
    const rel = this.relative(path);
    if (rel === '') return false;
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    return this.exclude.some((g) => g.re.test(g.byName ? name : rel));
  }

  /** Whether a file (whose folders were not excluded) is to be indexed, size aside. */
  wantsFile(path: string): boolean {
    if (this.excluded(path)) return false;
    if (this.include.length === 0) return true;
    const rel = this.relative(path);
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    return this.include.some((g) => g.re.test(g.byName ? name : rel));
  }

  /** Whether any folder between the root and `path`, or `path` itself, is excluded. */
  excludedOnTheWay(path: string): boolean {
    const parts = this.relative(path).split('/');
    if (parts[0] === '..') return true;
    let at = this.root;
    for (const part of parts) {
      at = at.endsWith(sep) ? at + part : at + sep + part;
      if (this.excluded(at)) return true;
    }
    return false;
  }
}
