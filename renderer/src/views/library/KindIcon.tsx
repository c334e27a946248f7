// A document's kind as a small icon (file, email, web page), beside its title.
import { FileText, Globe, Mail } from 'lucide-react';
import type { DocumentKind } from '../../../../app/contract/index.ts';

export function KindIcon({ kind }: { kind: DocumentKind }) {
  if (kind === 'email') return <Mail size={14} aria-hidden="true" className="kind-icon" />;
  if (kind === 'web') return <Globe size={14} aria-hidden="true" className="kind-icon" />;
  return <FileText size={14} aria-hidden="true" className="kind-icon" />;
}
