// Using a model served elsewhere: any OpenAI-compatible server (llama.cpp's llama-server, Ollama,
// LM Studio, vLLM, a cloud provider) by its address and model name; for embeddings, optionally the
// vector size. Its key, if it needs one, comes from the environment (see README).
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ModelChoice } from '../../../../app/contract/api.ts';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { Field, TextInput } from '../../components/Field.tsx';
import { useT } from '../../i18n/index.tsx';

export function ServerDialog({ role, onOpenChange, onUse }: { role: 'chat' | 'embedding' | null; onOpenChange: (open: boolean) => void; onUse: (choice: ModelChoice) => Promise<void> }) {
  const { t } = useT();
  const id = useId();
  const [baseUrl, setBaseUrl] = useState('');
  const [model, setModel] = useState('');
  const [dimensions, setDimensions] = useState('');
  useEffect(() => {
    if (role === null) return;
    setBaseUrl('');
    setModel('');
    setDimensions('');
  }, [role]);
  const urlValid = /^https?:\/\/\S+$/.test(baseUrl.trim());
  const dims = dimensions.trim() ? Number(dimensions) : undefined;
  const dimsValid = dims === undefined || (Number.isInteger(dims) && dims > 0);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!urlValid || !model.trim() || !dimsValid) return;
    onOpenChange(false);
    await onUse({ type: 'server', baseUrl: baseUrl.trim(), model: model.trim(), ...(role === 'embedding' && dims ? { dimensions: dims } : {}) });
  };
  return (
    <Dialog open={role !== null} onOpenChange={onOpenChange} title={t(role === 'embedding' ? 'models.serverEmbeddingTitle' : 'models.serverChatTitle')} description={t(role === 'embedding' ? 'models.serverEmbeddingText' : 'models.serverText')}>
      <form className="form" onSubmit={(e) => void submit(e)} data-testid="server-dialog">
        <Field label={t('models.serverUrl')} htmlFor={`${id}-url`} help={t('models.serverUrlHelp')}>
          <TextInput id={`${id}-url`} value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder={t('models.serverUrlPlaceholder')} spellCheck={false} autoFocus />
        </Field>
        <Field label={t('models.serverModel')} htmlFor={`${id}-model`}>
          <TextInput id={`${id}-model`} value={model} onChange={(e) => setModel(e.target.value)} placeholder={t(role === 'embedding' ? 'models.serverEmbeddingPlaceholder' : 'models.serverChatPlaceholder')} spellCheck={false} />
        </Field>
        {role === 'embedding' ? (
          <Field label={t('models.serverDimensions')} htmlFor={`${id}-dims`} help={t('models.serverDimensionsHelp')} error={dimsValid ? null : t('models.serverDimensionsBad')}>
            <TextInput id={`${id}-dims`} value={dimensions} onChange={(e) => setDimensions(e.target.value)} inputMode="numeric" />
          </Field>
        ) : null}
        <div className="c-dialog__footer">
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" disabled={!urlValid || !model.trim() || !dimsValid}>
            {t('models.serverUse')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
