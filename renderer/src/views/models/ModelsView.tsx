// Models: the chat and embedding models in use (changing the embedder re-embeds in the background,
// with its progress here), this computer as llama.cpp sees it, the catalog as cards (size, memory,
// whether it fits, licence; download with progress, speed, time left, cancel and resume), and
// the model files here, with a download from any .gguf address and an import of a file.
import { HardDrive, MessageSquare, Server, Sparkles, Trash2 } from 'lucide-react';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ModelChoice, ModelInUse } from '../../../../app/contract/api.ts';
import type { ModelInfo } from '../../../../app/contract/index.ts';
import { api } from '../../api/index.ts';
import { Button, IconButton } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { Select, TextInput } from '../../components/Field.tsx';
import { ProgressBar, ProgressLine } from '../../components/Progress.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { useT } from '../../i18n/index.tsx';
import { useActivity } from '../../state/activity.ts';
import { choosePaths, useDesktop } from '../../state/desktop.ts';
import { notify, notifyError } from '../../state/notices.ts';
import { invalidate, setQueryData, useQuery } from '../../state/query.ts';
import { CatalogCard, DownloadProgress } from './CatalogCard.tsx';
import { pull, resumeTarget, useDownload } from './downloads.ts';
import { machineText } from './describe.ts';
import { ServerDialog } from './ServerDialog.tsx';

type Role = 'chat' | 'embedding';

const isUsing = (use: ModelInUse, model: ModelInfo) => use?.type === 'file' && use.location === model.path;

/** The re-embedding under way: from its events while they come, else from the library's counts. */
function useReembed(): { done: number; total: number; rate: number | null; etaSeconds: number | null } | null {
  const jobs = useActivity();
  const status = useQuery('library.status', {});
  const job = jobs.find((j) => j.id === 'reembed' && j.state === 'running');
  if (job) return { done: job.done, total: job.total ?? 0, rate: job.rate, etaSeconds: job.etaSeconds };
  const building = status.data?.embeddingModels.find((m) => m.state === 'building');
  return building && status.data ? { done: building.vectors, total: status.data.chunks, rate: null, etaSeconds: null } : null;
}

function InUseCard({ role, use, files, onChoose, onServer }: { role: Role; use: ModelInUse; files: ModelInfo[]; onChoose: (choice: ModelChoice) => void; onServer: () => void }) {
  const { t } = useT();
  const id = useId();
  const reembed = useReembed();
  const candidates = files.filter((m) => m.status === 'ready' && (m.role === role || m.role === null));
  // A model in use that is not among the files here (a path elsewhere, a server) keeps its own entry.
  const current = use?.type === 'file' ? (candidates.find((m) => m.path === use.location)?.name ?? 'current') : use ? 'current' : '';
  return (
    <section className="use-card" aria-labelledby={`${id}-title`} data-testid={`${role}-model`}>
      <div className="use-card__head">
        <span className="use-card__icon" aria-hidden="true">
          {role === 'chat' ? <MessageSquare size={17} /> : <Sparkles size={17} />}
        </span>
        <h2 className="use-card__title" id={`${id}-title`}>
          {t(role === 'chat' ? 'models.chat' : 'models.embedding')}
        </h2>
      </div>
      <p className={`use-card__name${use ? '' : ' use-card__name--none'}`}>{use ? use.name : t(role === 'chat' ? 'models.noChat' : 'models.noEmbedding')}</p>
      <p className="use-card__where" title={use?.location}>
        {use ? (use.type === 'server' ? t('models.onServer', { url: use.location }) : use.location) : t(role === 'chat' ? 'models.noChatText' : 'models.noEmbeddingText')}
      </p>
      {role === 'embedding' && reembed ? (
        <div className="use-card__progress" data-testid="reembed">
          <ProgressBar done={reembed.done} total={reembed.total} label={t('models.reembedding')} />
          <div className="use-card__progress-line">
            <span>{t('models.reembedding')}</span>
            <ProgressLine done={reembed.done} total={reembed.total} unit="chunks" rate={reembed.rate} etaSeconds={reembed.etaSeconds} />
          </div>
          <p className="use-card__hint">{t('models.reembedHint')}</p>
        </div>
      ) : null}
      <div className="use-card__controls">
        <Select
          aria-label={t(role === 'chat' ? 'models.chooseChat' : 'models.chooseEmbedding')}
          value={current}
          onChange={(e) => {
            const value = e.target.value;
            if (value === '') onChoose({ type: 'none' });
            else if (value !== 'current') onChoose({ type: 'file', model: value });
          }}
        >
          <option value="">{t(role === 'chat' ? 'models.optionNone' : 'models.optionKeywordOnly')}</option>
          {current === 'current' && use ? <option value="current">{use.type === 'server' ? t('models.optionServer', { name: use.name }) : use.name}</option> : null}
          {candidates.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </Select>
        <Button size="sm" variant="ghost" icon={<Server size={13} />} onClick={onServer}>
          {t('models.useServer')}
        </Button>
      </div>
    </section>
  );
}

function Hardware() {
  const tr = useT();
  const { t } = tr;
  const catalog = useQuery('models.catalog', {});
  const hw = catalog.data?.hardware;
  if (!hw) return catalog.error ? <p className="quiet-note quiet-note--error">{catalog.error.message}</p> : <Spinner label={t('common.loading')} />;
  const gpu = hw.backend !== 'cpu';
  return (
    <section className="hardware" aria-labelledby="models-hardware" data-testid="hardware">
      <h2 className="section-title" id="models-hardware">
        {t('models.hardware')}
      </h2>
      <dl className="hardware__facts">
        <div>
          <dt>{t('models.backend')}</dt>
          <dd>{t(`models.backendName.${hw.backend}`)}</dd>
        </div>
        <div>
          <dt>{t('models.device')}</dt>
          <dd>{hw.devices.length ? hw.devices.join(', ') : t('models.noGpu')}</dd>
        </div>
        {gpu && hw.vramTotalBytes !== null ? (
          <div>
            <dt>{t('models.vram')}</dt>
            <dd>{t('models.freeOf', { free: tr.bytes(hw.vramFreeBytes ?? 0), total: tr.bytes(hw.vramTotalBytes) })}</dd>
          </div>
        ) : null}
        <div>
          <dt>{t('models.ram')}</dt>
          <dd>{t('models.freeOf', { free: tr.bytes(hw.ramFreeBytes), total: tr.bytes(hw.ramTotalBytes) })}</dd>
        </div>
        <div>
          <dt>{t('models.threads')}</dt>
          <dd>{t('models.threadsValue', { threads: hw.cpuThreads, cores: hw.cpuCores })}</dd>
        </div>
      </dl>
      {hw.error ? <p className="quiet-note quiet-note--error">{t('models.llamaFailed', { reason: hw.error })}</p> : null}
      {hw.warning ? <p className="quiet-note quiet-note--warning">{hw.warning}</p> : null}
    </section>
  );
}

function FileRow({ model, inUse, onUse, onRemove }: { model: ModelInfo; inUse: Role | null; onUse: (role: Role) => void; onRemove: () => void }) {
  const tr = useT();
  const { t } = tr;
  const { running } = useDownload(model.name);
  const resume = resumeTarget(model);
  const total = model.download?.totalBytes ?? null;
  const detail =
    model.status === 'partial'
      ? total
        ? t('models.partialOf', { done: tr.bytes(model.sizeBytes), total: tr.bytes(total) })
        : t('models.partial', { done: tr.bytes(model.sizeBytes) })
      : model.status === 'invalid'
        ? model.problem
        : [tr.bytes(model.sizeBytes), model.architecture, model.provenance ? t(`models.check.${model.provenance.check}`) : t('models.check.none')].filter(Boolean).join(' · ');
  return (
    <li className="file-row" data-testid="model-file" aria-label={model.name}>
      <span className="file-row__icon" aria-hidden="true">
        <HardDrive size={16} />
      </span>
      <div className="file-row__main">
        <div className="file-row__head">
          <span className="file-row__name">{model.name}</span>
          <span className={`badge badge--model-${model.status}`}>{t(`modelStatus.${model.status}`)}</span>
          {model.role ? <span className="badge">{t(`models.role.${model.role}`)}</span> : null}
          {inUse ? <span className="badge badge--in-use">{t(inUse === 'chat' ? 'models.answering' : 'models.embeddingNow')}</span> : null}
        </div>
        {running ? <DownloadProgress file={model.name} name={model.name} /> : <div className={`file-row__detail${model.status === 'invalid' ? ' file-row__detail--problem' : ''}`}>{detail}</div>}
      </div>
      <div className="file-row__actions">
        {model.status === 'partial' && !running && resume ? (
          <Button size="sm" onClick={() => void pull(resume, t('models.pullFailed'))}>
            {t('models.resume')}
          </Button>
        ) : null}
        {model.status === 'ready' && !inUse && model.role !== 'embedding' ? (
          <Button size="sm" onClick={() => onUse('chat')}>
            {t('models.useForChat')}
          </Button>
        ) : null}
        {model.status === 'ready' && !inUse && model.role !== 'chat' ? (
          <Button size="sm" onClick={() => onUse('embedding')}>
            {t('models.useForEmbedding')}
          </Button>
        ) : null}
        {running ? null : <IconButton size="sm" label={t('models.delete', { name: model.name })} icon={<Trash2 size={14} />} onClick={onRemove} />}
      </div>
    </li>
  );
}

/** A download that has no file to list yet (still connecting, or its first bytes on the way). */
function PullingRow({ file }: { file: string }) {
  return (
    <li className="file-row" data-testid="model-file" aria-label={file}>
      <span className="file-row__icon" aria-hidden="true">
        <HardDrive size={16} />
      </span>
      <div className="file-row__main">
        <div className="file-row__head">
          <span className="file-row__name">{file}</span>
        </div>
        <DownloadProgress file={file} name={file} />
      </div>
    </li>
  );
}

/** Download a .gguf from an address, or import a file from this computer. */
function AddModel() {
  const { t } = useT();
  const id = useId();
  const desktop = useDesktop();
  const [url, setUrl] = useState('');
  const [path, setPath] = useState('');
  const download = async (event: FormEvent) => {
    event.preventDefault();
    if (await pull(url.trim(), t('models.pullFailed'))) setUrl('');
  };
  const importFile = async (file: string) => {
    try {
      const model = await api.models.import({ path: file });
      notify(t('models.imported', { name: model.name }));
      setPath('');
      invalidate(['models.list']);
    } catch (error) {
      notifyError(t('models.importFailed'), error);
    }
  };
  const choose = async () => {
    try {
      const [chosen] = await choosePaths({ pick: 'files', multiple: false, extensions: ['gguf'], title: t('models.importTitle') });
      if (chosen) await importFile(chosen);
    } catch (error) {
      notifyError(t('models.importFailed'), error);
    }
  };
  return (
    <div className="add-model">
      <form className="add-model__row" onSubmit={(e) => void download(e)}>
        <label className="add-model__label" htmlFor={`${id}-url`}>
          {t('models.fromUrl')}
        </label>
        <TextInput id={`${id}-url`} value={url} onChange={(e) => setUrl(e.target.value)} placeholder={t('models.urlPlaceholder')} spellCheck={false} />
        <Button type="submit" disabled={!/^https?:\/\/\S+\.gguf(\?\S*)?$/i.test(url.trim())}>
          {t('models.downloadUrl')}
        </Button>
      </form>
      {desktop ? (
        <div className="add-model__row">
          <span className="add-model__label">{t('models.fromFile')}</span>
          <Button onClick={() => void choose()}>{t('models.chooseFile')}</Button>
        </div>
      ) : (
        <form
          className="add-model__row"
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim()) void importFile(path.trim());
          }}
        >
          <label className="add-model__label" htmlFor={`${id}-path`}>
            {t('models.fromFile')}
          </label>
          <TextInput id={`${id}-path`} value={path} onChange={(e) => setPath(e.target.value)} placeholder={t('models.pathPlaceholder')} spellCheck={false} />
          <Button type="submit" disabled={!path.trim()}>
            {t('models.import')}
          </Button>
        </form>
      )}
    </div>
  );
}

function Section({ id, title, aside, children }: { id: string; title: string; aside?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="models__section">
      <div className="section-head">
        <h2 className="section-title" id={id}>
          {title}
        </h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

export default function ModelsView() {
  const tr = useT();
  const { t } = tr;
  const models = useQuery('models.list', {});
  const catalog = useQuery('models.catalog', {});
  const [server, setServer] = useState<Role | null>(null);
  const [embedder, setEmbedder] = useState<ModelChoice | null>(null);
  const [removing, setRemoving] = useState<ModelInfo | null>(null);
  const data = models.data;
  const files = data?.models ?? [];
  const pullingOnly = (data?.pulling ?? []).filter((file) => !files.some((m) => m.name === file));

  const use = async (role: Role, choice: ModelChoice) => {
    try {
      const state = role === 'chat' ? await api.models.useChat(choice) : await api.models.useEmbedding(choice);
      setQueryData('models.list', {}, state);
      invalidate(['library.status']);
    } catch (error) {
      notifyError(t('models.useFailed'), error);
    }
  };
  // Changing the embedder re-embeds the whole library: asked first (switching it off is not).
  const choose = (role: Role, choice: ModelChoice) => (role === 'embedding' && choice.type !== 'none' ? setEmbedder(choice) : void use(role, choice));
  const remove = async (model: ModelInfo) => {
    try {
      await api.models.remove({ name: model.name });
      invalidate(['models.list']);
    } catch (error) {
      notifyError(t('models.deleteFailed'), error);
    }
  };

  const recommended = catalog.data?.recommendation;
  const roleInUse = (m: ModelInfo): Role | null => (data && isUsing(data.chat, m) ? 'chat' : data && isUsing(data.embedding, m) ? 'embedding' : null);
  const byFile = (file: string) => files.find((m) => m.name === file);
  const sorted = catalog.data ? [...catalog.data.models].sort((a, b) => (a.role === b.role ? 0 : a.role === 'chat' ? -1 : 1)) : [];

  return (
    <div className="view models" data-testid="models-view">
      <header className="view__header">
        <h1 className="view__title">{t('nav.models')}</h1>
      </header>
      <div className="view__body">
        <div className="page page--wide">
          {models.error ? <p className="quiet-note quiet-note--error">{models.error.message}</p> : null}
          {data ? (
            <div className="use-cards">
              <InUseCard role="chat" use={data.chat} files={files} onChoose={(c) => choose('chat', c)} onServer={() => setServer('chat')} />
              <InUseCard role="embedding" use={data.embedding} files={files} onChoose={(c) => choose('embedding', c)} onServer={() => setServer('embedding')} />
            </div>
          ) : null}
          <Hardware />

          <Section id="models-catalog" title={t('models.catalog')}>
            {recommended && catalog.data ? (
              <p className="quiet-note models__why">
                {recommended.chat
                  ? t('models.recommendedFor', { machine: machineText(tr, catalog.data.hardware), chat: recommended.chat.name, embedding: recommended.embedding.name })
                  : t('models.recommendedNoChat', { machine: machineText(tr, catalog.data.hardware), embedding: recommended.embedding.name })}
              </p>
            ) : null}
            {catalog.error ? <p className="quiet-note quiet-note--error">{catalog.error.message}</p> : null}
            <ul className="model-cards">
              {sorted.map((m) => {
                const file = byFile(m.file);
                const using = !!file && !!data && (isUsing(data.chat, file) || isUsing(data.embedding, file));
                return (
                  <CatalogCard
                    key={m.id}
                    model={m}
                    file={file}
                    recommended={recommended?.chat?.id === m.id || recommended?.embedding.id === m.id}
                    inUse={using}
                    onUse={() => choose(m.role, { type: 'file', model: m.id })}
                  />
                );
              })}
            </ul>
          </Section>

          <Section id="models-files" title={t('models.files')} aside={data ? <span className="section-head__aside mono" title={data.dir}>{data.dir}</span> : null}>
            {files.length === 0 && pullingOnly.length === 0 ? (
              <p className="quiet-note">{t('models.noFiles')}</p>
            ) : (
              <ul className="file-rows">
                {files.map((m) => (
                  <FileRow key={m.name} model={m} inUse={roleInUse(m)} onUse={(role) => choose(role, { type: 'file', model: m.name })} onRemove={() => setRemoving(m)} />
                ))}
                {pullingOnly.map((file) => (
                  <PullingRow key={file} file={file} />
                ))}
              </ul>
            )}
            <AddModel />
          </Section>
        </div>
      </div>
      <ServerDialog role={server} onOpenChange={(open) => !open && setServer(null)} onUse={(choice) => use(server ?? 'chat', choice)} />
      <ConfirmDialog
        open={embedder !== null}
        onOpenChange={(open) => !open && setEmbedder(null)}
        title={t('models.switchEmbedderTitle')}
        description={t('models.switchEmbedderText')}
        confirmLabel={t('models.switchEmbedder')}
        onConfirm={() => embedder && void use('embedding', embedder)}
      />
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={t('models.deleteTitle', { name: removing?.name ?? '' })}
        description={removing && roleInUse(removing) ? t('models.deleteInUseText') : t('models.deleteText')}
        confirmLabel={t('models.deleteConfirm')}
        danger
        onConfirm={() => removing && void remove(removing)}
      />
    </div>
  );
}
