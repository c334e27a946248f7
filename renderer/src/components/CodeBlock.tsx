// A code block: the language, a copy button, and syntax highlighting loaded on first use (the
// highlighter is a separate chunk, so the window starts without it). The highlighter's output is
// a syntax tree turned into React elements, never HTML.
import { Check, Copy } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { useT } from '../i18n/index.tsx';
import { IconButton } from './Button.tsx';

type Highlight = (code: string, language: string | null) => ReactNode[] | null;
let loaded: Highlight | null = null;
let loading: Promise<Highlight> | null = null;

function loadHighlighter(): Promise<Highlight> {
  loading ??= import('./highlight.tsx').then((module) => (loaded = module.highlight));
  return loading;
}

export function CodeBlock({ code, language }: { code: string; language: string | null }) {
  const { t } = useT();
  const [highlight, setHighlight] = useState<Highlight | null>(() => loaded);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!highlight) void loadHighlighter().then((h) => setHighlight(() => h));
  }, [highlight]);
  const copy = async () => {
    await navigator.clipboard.writeText(code);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const highlighted = highlight?.(code, language) ?? null;
  return (
    <div className="c-code">
      <div className="c-code__bar">
        <span className="c-code__language">{language ?? ''}</span>
        <IconButton size="sm" label={copied ? t('common.copied') : t('common.copyCode')} icon={copied ? <Check size={14} /> : <Copy size={14} />} onClick={() => void copy()} />
      </div>
      <pre className="c-code__pre">
        <code>{highlighted ?? code}</code>
      </pre>
    </div>
  );
}
