// Adding a watched folder, or changing its rules: the folder (the system's folder picker in the
// desktop app, its path typed in a browser), which files to index (include), which to leave out
// (exclude, besides the defaults), and the size above which a file is left out.
import { FolderOpen } from 'lucide-react';
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { SourceStatus } from '../../../../app/contract/index.ts';
import { api } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { Field, TextArea, TextInput } from '../../components/Field.tsx';
import { useT } from '../../i18n/index.tsx';
import { notify } from '../../state/notices.ts';
import { invalidate } from '../../state/query.ts';
import { choosePaths, useDesktop } from '../../state/desktop.ts';
import { codeOf, explain } from './explain.ts';

const DEFAULT_MAX_MB = 100;
const lines = (text: string) => text.split(/\r?\n|,/).map((l) => l.trim()).filter(Boolean);

export function FolderDialog({ open, onOpenChange, editing }: { open: boolean; onOpenChange: (open: boolean) => void; editing?: SourceStatus | null }) {
  const tr = useT();
  const { t } = tr;
  const id = useId();
  const desktop = useDesktop();
  const [path, setPath] = useState('');
  const [include, setInclude] = useState('');
  const [exclude, setExclude] = useState('');
  const [maxMb, setMaxMb] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setPath(editing?.uri ?? '');
    setInclude((editing?.include ?? []).join('\n'));
    setExclude((editing?.exclude ?? []).join('\n'));
    const max = editing?.maxFileBytes;
    setMaxMb(max && max !== DEFAULT_MAX_MB * 1048576 ? String(Math.round(max / 1048576)) : '');
    setError(null);
  }, [open, editing]);

  const choose = async () => {
    try {
      const [chosen] = await choosePaths({ pick: 'folders', multiple: false, title: t('sources.folderDialog.choose') });
      if (chosen) setPath(chosen);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!path.trim()) return;
    const mb = maxMb.trim() ? Number(maxMb) : null;
    if (mb !== null && !(Number.isFinite(mb) && mb > 0)) {
      setError(t('sources.folderDialog.badSize'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const source = await api.folders.add({
        path: path.trim(),
        include: lines(include),
        exclude: lines(exclude),
        ...(mb !== null ? { maxFileBytes: Math.round(mb * 1048576) } : {}),
      });
      invalidate(['sources.list', 'library.status']);
      notify(editing ? t('sources.rulesSaved', { name: source.name }) : t('sources.folderAdded', { name: source.name }));
      onOpenChange(false);
    } catch (e) {
      const key = explain(codeOf(e));
      const message = e instanceof Error ? e.message : String(e);
      setError(key ? `${t(key)} (${message})` : message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      wide
      title={editing ? t('sources.folderDialog.editTitle', { name: editing.name }) : t('sources.folderDialog.title')}
      description={editing ? t('sources.folderDialog.editText') : t('sources.folderDialog.text')}
    >
      <form className="form" onSubmit={(e) => void submit(e)} data-testid="folder-dialog">
        <Field label={t('sources.folderDialog.path')} htmlFor={`${id}-path`} help={desktop ? undefined : t('sources.folderDialog.pathHelpWeb')}>
          <div className="form__row">
            <TextInput
              id={`${id}-path`}
              value={path}
              onChange={(e) => setPath(e.target.value)}
              placeholder={t('sources.folderDialog.pathPlaceholder')}
              spellCheck={false}
              autoFocus={!editing && !desktop}
              readOnly={!!editing}
              className="mono"
            />
            {desktop && !editing ? (
              <Button icon={<FolderOpen size={15} />} onClick={() => void choose()}>
                {t('sources.folderDialog.choose')}
              </Button>
            ) : null}
          </div>
        </Field>
        <div className="form__columns">
          <Field label={t('sources.folderDialog.include')} htmlFor={`${id}-include`} help={t('sources.folderDialog.includeHelp')}>
            <TextArea id={`${id}-include`} value={include} onChange={(e) => setInclude(e.target.value)} rows={3} placeholder={t('sources.folderDialog.includePlaceholder')} spellCheck={false} className="mono" />
          </Field>
          <Field label={t('sources.folderDialog.exclude')} htmlFor={`${id}-exclude`} help={t('sources.folderDialog.excludeHelp')}>
            <TextArea id={`${id}-exclude`} value={exclude} onChange={(e) => setExclude(e.target.value)} rows={3} placeholder={t('sources.folderDialog.excludePlaceholder')} spellCheck={false} className="mono" />
          </Field>
        </div>
        <Field label={t('sources.folderDialog.maxSize')} htmlFor={`${id}-max`} help={t('sources.folderDialog.defaults')}>
          <div className="form__row form__row--narrow">
            <TextInput id={`${id}-max`} value={maxMb} onChange={(e) => setMaxMb(e.target.value)} inputMode="numeric" placeholder={String(DEFAULT_MAX_MB)} />
            <span className="form__unit">{t('sources.folderDialog.mb')}</span>
          </div>
        </Field>
        {error ? (
          <p className="form__error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="c-dialog__footer">
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" disabled={!path.trim() || busy}>
            {editing ? t('sources.folderDialog.save') : t('sources.folderDialog.add')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
