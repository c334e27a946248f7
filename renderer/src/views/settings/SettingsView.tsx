// Settings, each saved in the library as it is changed (settings.update): the window's language
// and theme and where the library lives; how answers are made (sources per answer, keywords
// against meaning, temperature, context size); web search (the provider, its key kept in the
// secret store); the local OpenAI-compatible API (on or off, its address and token); OCR of scanned
// pages and images (on or off, languages, the time limit per page: the library's setting, as
// `cairn ocr` changes it); shortcuts.
import * as Tabs from '@radix-ui/react-tabs';
import { Check, Copy, Eye, EyeOff, KeyRound, RefreshCw } from 'lucide-react';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { OcrLanguage, type Settings, type SettingsPatch, type WebProvider } from '../../../../app/contract/api.ts';
import { api } from '../../api/index.ts';
import { Button, IconButton } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { Select, TextInput } from '../../components/Field.tsx';
import { Kbd } from '../../components/Spinner.tsx';
import { Switch } from '../../components/Switch.tsx';
import { useT, type MessageKey } from '../../i18n/index.tsx';
import { notify, notifyError } from '../../state/notices.ts';
import { usePreferences, type LanguageChoice, type ThemeChoice } from '../../state/preferences.ts';
import { invalidate, setQueryData, useQuery } from '../../state/query.ts';
import { shortcutLabel } from '../../shell/shortcuts.ts';

const SHORTCUTS: [string, MessageKey][] = [
  ['Mod+N', 'shortcuts.newChat'],
  ['Mod+K', 'shortcuts.search'],
  ['Escape', 'shortcuts.stop'],
  ['Mod+1', 'shortcuts.chat'],
  ['Mod+2', 'shortcuts.library'],
  ['Mod+3', 'shortcuts.sources'],
  ['Mod+4', 'shortcuts.models'],
  ['Mod+5', 'shortcuts.settings'],
  ['Alt+1', 'shortcuts.citation'],
  ['Enter', 'shortcuts.send'],
  ['Shift+Enter', 'shortcuts.newLine'],
];

const CONTEXT_SIZES = [4096, 8192, 16384, 32768, 65536, 131072];
const ANSWER_LENGTHS = [256, 512, 1024, 2048, 4096];

/** How many changes were sent: only the answer to the latest is put in place. */
let changesSent = 0;

/**
 * Saves a change and puts the answer in place; says where the user sees it when it fails. An
 * earlier change's answer that comes after a later change was sent is left out (the later answer
 * holds both, as the engine applies changes in order), so that it never undoes a later click.
 */
function useSave(): (patch: SettingsPatch) => Promise<boolean> {
  const { t } = useT();
  return async (patch) => {
    const change = ++changesSent;
    try {
      const answer = await api.settings.update(patch);
      if (change === changesSent) setQueryData('settings.get', {}, answer);
      // The pages waiting for OCR are counted with its languages.
      if (patch.ocr) invalidate(['library.status']);
      return true;
    } catch (error) {
      notifyError(t('settings.saveFailed'), error);
      // What is stored now, earlier changes included.
      invalidate(['settings.get']);
      return false;
    }
  };
}

/** A setting's row: its name and a line of help on the left, the control on the right. */
function Row({ label, help, htmlFor, labelId, children }: { label: string; help?: ReactNode; htmlFor?: string; labelId?: string; children: ReactNode }) {
  return (
    <div className="setting">
      <div className="setting__text">
        {htmlFor ? (
          <label className="setting__label" htmlFor={htmlFor} id={labelId}>
            {label}
          </label>
        ) : (
          <span className="setting__label" id={labelId}>
            {label}
          </span>
        )}
        {help ? <p className="setting__help">{help}</p> : null}
      </div>
      <div className="setting__control">{children}</div>
    </div>
  );
}

function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="settings__group">
      <h2 className="settings__group-title">{title}</h2>
      <div className="settings__rows">{children}</div>
    </section>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useT();
  const [copied, setCopied] = useState(false);
  return (
    <IconButton
      size="sm"
      label={copied ? t('common.copied') : label}
      icon={copied ? <Check size={14} /> : <Copy size={14} />}
      onClick={() =>
        void navigator.clipboard.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
    />
  );
}

/** A slider whose value is saved once the hand stops moving it (not at every step). */
function Slider({ id, value, min, max, step, onCommit, format, ends }: { id: string; value: number; min: number; max: number; step: number; onCommit: (v: number) => void; format: (v: number) => string; ends?: [string, string] }) {
  const [local, setLocal] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => setLocal(value), [value]);
  const change = (v: number) => {
    setLocal(v);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => onCommit(v), 350);
  };
  return (
    <div className="slider">
      <input id={id} type="range" className="slider__input" min={min} max={max} step={step} value={local} onChange={(e) => change(Number(e.target.value))} aria-valuetext={format(local)} />
      {ends ? (
        <div className="slider__ends" aria-hidden="true">
          <span>{ends[0]}</span>
          <span className="slider__value">{format(local)}</span>
          <span>{ends[1]}</span>
        </div>
      ) : (
        <span className="slider__value">{format(local)}</span>
      )}
    </div>
  );
}

function General() {
  const { t } = useT();
  const id = useId();
  const preferences = usePreferences();
  const info = useQuery('engine.info', {});
  const models = useQuery('models.list', {});
  const settings = useQuery('settings.get', {});
  const save = (action: Promise<void>) => action.catch((error: unknown) => notifyError(t('settings.saveFailed'), error));
  return (
    <>
      <Group title={t('settings.appearance')}>
        <Row label={t('settings.language')} htmlFor={`${id}-language`}>
          <Select id={`${id}-language`} value={preferences.language} onChange={(e) => void save(preferences.setLanguage(e.target.value as LanguageChoice))}>
            <option value="system">{t('settings.followSystem')}</option>
            <option value="en">{t('settings.languageEn')}</option>
            <option value="zh-CN">{t('settings.languageZh')}</option>
          </Select>
        </Row>
        <Row label={t('settings.theme')} htmlFor={`${id}-theme`}>
          <Select id={`${id}-theme`} value={preferences.theme} onChange={(e) => void save(preferences.setTheme(e.target.value as ThemeChoice))}>
            <option value="system">{t('settings.followSystem')}</option>
            <option value="light">{t('settings.light')}</option>
            <option value="dark">{t('settings.dark')}</option>
          </Select>
        </Row>
      </Group>
      <Group title={t('settings.storage')}>
        <Row label={t('settings.libraryFile')} help={t('settings.libraryFileHelp')}>
          {info.data ? (
            <div className="path-value">
              <span className="mono" title={info.data.dbPath} data-testid="library-path">
                {info.data.dbPath}
              </span>
              <CopyButton text={info.data.dbPath} label={t('settings.copyPath')} />
            </div>
          ) : null}
        </Row>
        <Row label={t('settings.modelsFolder')} help={t('settings.modelsFolderHelp')}>
          {models.data ? (
            <div className="path-value">
              <span className="mono" title={models.data.dir}>
                {models.data.dir}
              </span>
              <CopyButton text={models.data.dir} label={t('settings.copyPath')} />
            </div>
          ) : null}
        </Row>
        <Row label={t('settings.secrets')} help={t('settings.secretsHelp')}>
          <span className="setting__value">{settings.data?.secretStore}</span>
        </Row>
      </Group>
      {settings.data ? <Ocr settings={settings.data} /> : null}
    </>
  );
}

/** The order languages are read in: Chinese first read clean Chinese and English pages alike better (app/ocr/languages.ts). */
const OCR_ORDER: readonly OcrLanguage[] = ['chi_sim', 'eng'];
const OCR_LANGUAGE_NAMES = { eng: 'settings.ocrEng', chi_sim: 'settings.ocrChiSim' } as const satisfies Record<OcrLanguage, MessageKey>;
const PAGE_LIMITS = [30_000, 60_000, 120_000, 300_000, 600_000];

function Ocr({ settings }: { settings: Settings }) {
  const tr = useT();
  const { t } = tr;
  const id = useId();
  const save = useSave();
  const status = useQuery('library.status', {});
  const { enabled, pageTimeoutMs } = settings.ocr;
  // A box shows its new state at once, until the answer to the latest change: then the stored
  // languages (the new ones, or the old on failure). An earlier change's answer that arrives
  // meanwhile does not undo a later click.
  const [chosen, setChosen] = useState<readonly OcrLanguage[] | null>(null);
  const latest = useRef(0);
  const languages = chosen ?? settings.ocr.languages;
  const toggle = (language: OcrLanguage, on: boolean) => {
    const picked = new Set(languages);
    if (on) picked.add(language);
    else picked.delete(language);
    const next = OCR_ORDER.filter((l) => picked.has(l));
    const change = ++latest.current;
    setChosen(next);
    void save({ ocr: { languages: next } }).then(() => change === latest.current && setChosen(null));
  };
  const waiting = status.data?.ocr;
  const limits = PAGE_LIMITS.includes(pageTimeoutMs) ? PAGE_LIMITS : [...PAGE_LIMITS, pageTimeoutMs].sort((a, b) => a - b);
  return (
    <Group title={t('settings.ocr')}>
      <Row label={t('settings.ocrSwitch')} help={t('settings.ocrHelp')} labelId={`${id}-ocr`}>
        <Switch checked={enabled} labelledBy={`${id}-ocr`} onChange={(on) => void save({ ocr: { enabled: on } })} />
      </Row>
      <Row label={t('settings.ocrLanguages')} help={t('settings.ocrLanguagesHelp')} labelId={`${id}-languages`}>
        <div className="checks" role="group" aria-labelledby={`${id}-languages`}>
          {OcrLanguage.options.map((language) => {
            const checked = languages.includes(language);
            // The last one stays: OCR reads in at least one language. (Not `disabled`, which greys a checked box out of sight.)
            const last = checked && languages.length === 1;
            return (
              <label key={language} className="check" title={last ? t('settings.ocrOneLanguage') : undefined}>
                <input type="checkbox" checked={checked} aria-disabled={last || undefined} onChange={(e) => last || toggle(language, e.target.checked)} />
                {t(OCR_LANGUAGE_NAMES[language])}
              </label>
            );
          })}
        </div>
      </Row>
      <Row label={t('settings.ocrPageLimit')} help={t('settings.ocrPageLimitHelp')} htmlFor={`${id}-limit`}>
        <Select id={`${id}-limit`} value={pageTimeoutMs} onChange={(e) => void save({ ocr: { pageTimeoutMs: Number(e.target.value) } })}>
          {limits.map((ms) => (
            <option key={ms} value={ms}>
              {tr.duration(ms / 1000)}
            </option>
          ))}
        </Select>
      </Row>
      <Row label={t('settings.ocrWaiting')}>
        <span className="setting__value" data-testid="ocr-waiting">
          {!waiting
            ? null
            : waiting.pagesWaiting === 0
              ? t('settings.ocrNothingWaiting')
              : `${t('settings.ocrPagesWaiting', { count: waiting.pagesWaiting, documents: t('settings.ocrDocuments', { count: waiting.documentsWaiting }) })}${enabled ? '' : ` ${t('settings.ocrWaitingOff')}`}`}
          {waiting?.pagesFailed ? <span className="setting__value--quiet"> {t('settings.ocrFailed', { count: waiting.pagesFailed })}</span> : null}
        </span>
      </Row>
    </Group>
  );
}

function Answers({ settings }: { settings: Settings }) {
  const tr = useT();
  const { t } = tr;
  const id = useId();
  const save = useSave();
  const models = useQuery('models.list', {});
  const hasChat = !!models.data?.chat;
  const hasEmbedder = !!models.data?.embedding;
  const { retrieval, generation } = settings;
  const balanceText = (w: number) => (w <= 0 ? t('settings.keywordsOnly') : w >= 1 ? t('settings.meaningOnly') : t('settings.balanceValue', { keywords: Math.round((1 - w) * 100), meaning: Math.round(w * 100) }));
  return (
    <>
      <Group title={t('settings.retrieval')}>
        <Row label={t('settings.k')} help={t('settings.kHelp')} htmlFor={`${id}-k`}>
          <Slider id={`${id}-k`} value={retrieval.k} min={1} max={20} step={1} format={(v) => tr.number(v)} onCommit={(k) => void save({ retrieval: { k } })} />
        </Row>
        <Row label={t('settings.balance')} help={hasEmbedder ? t('settings.balanceHelp') : t('settings.balanceNoEmbedder')} htmlFor={`${id}-balance`}>
          <Slider
            id={`${id}-balance`}
            value={retrieval.meaningWeight}
            min={0}
            max={1}
            step={0.05}
            format={balanceText}
            ends={[t('settings.keywords'), t('settings.meaning')]}
            onCommit={(meaningWeight) => void save({ retrieval: { meaningWeight } })}
          />
        </Row>
      </Group>
      <Group title={t('settings.generation')}>
        <Row label={t('settings.temperature')} help={t('settings.temperatureHelp')} htmlFor={`${id}-temperature`}>
          <Slider
            id={`${id}-temperature`}
            value={generation.temperature}
            min={0}
            max={1.5}
            step={0.05}
            format={(v) => tr.number(v, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}
            ends={[t('settings.precise'), t('settings.varied')]}
            onCommit={(temperature) => void save({ generation: { temperature } })}
          />
        </Row>
        <Row label={t('settings.contextSize')} help={hasChat ? t('settings.contextSizeHelp') : t('settings.contextSizeNoModel')} htmlFor={`${id}-context`}>
          <Select
            id={`${id}-context`}
            value={generation.contextSize ?? ''}
            disabled={!hasChat}
            onChange={(e) => void save({ generation: { contextSize: e.target.value ? Number(e.target.value) : null } })}
          >
            <option value="">{t('settings.automatic')}</option>
            {CONTEXT_SIZES.map((n) => (
              <option key={n} value={n}>
                {t('settings.tokens', { count: n })}
              </option>
            ))}
          </Select>
        </Row>
        <Row label={t('settings.answerLength')} help={t('settings.answerLengthHelp')} htmlFor={`${id}-length`}>
          <Select id={`${id}-length`} value={generation.maxAnswerTokens ?? ''} onChange={(e) => void save({ generation: { maxAnswerTokens: e.target.value ? Number(e.target.value) : null } })}>
            <option value="">{t('settings.automatic')}</option>
            {ANSWER_LENGTHS.map((n) => (
              <option key={n} value={n}>
                {t('settings.tokens', { count: n })}
              </option>
            ))}
          </Select>
        </Row>
      </Group>
    </>
  );
}

const KEYED: readonly WebProvider[] = ['brave', 'tavily'];

function WebSearch({ settings }: { settings: Settings }) {
  const { t } = useT();
  const id = useId();
  const save = useSave();
  const { provider, baseUrl, keyStored } = settings.web;
  const [url, setUrl] = useState(baseUrl ?? '');
  const [key, setKey] = useState('');
  const [pending, setPending] = useState(false);
  useEffect(() => setUrl(baseUrl ?? ''), [baseUrl]);
  const choose = (value: string) => {
    if (value === '') return void save({ web: null });
    const next = value as WebProvider;
    // SearXNG needs its address before it can be chosen; the field below asks for it.
    if (next === 'searxng' && !url.trim()) return void setPending(true);
    void save({ web: { provider: next, ...(next === 'searxng' ? { baseUrl: url.trim() } : {}) } });
  };
  const showSearx = provider === 'searxng' || pending;
  const storeKey = async () => {
    if (!provider || !KEYED.includes(provider) || !key.trim()) return;
    try {
      const { storedIn } = await api.settings.setWebKey({ provider: provider as 'brave' | 'tavily', key: key.trim() });
      setKey('');
      setQueryData('settings.get', {}, await api.settings.get());
      notify(t('settings.keySaved', { where: storedIn }));
    } catch (error) {
      notifyError(t('settings.saveFailed'), error);
    }
  };
  const forgetKey = async () => {
    try {
      setQueryData('settings.get', {}, await api.settings.forgetWebKey({ provider: provider as 'brave' | 'tavily' }));
    } catch (error) {
      notifyError(t('settings.saveFailed'), error);
    }
  };
  return (
    <Group title={t('settings.web')}>
      <Row label={t('settings.webProvider')} help={t('settings.webHelp')} htmlFor={`${id}-provider`}>
        <Select id={`${id}-provider`} value={pending ? 'searxng' : (provider ?? '')} onChange={(e) => (setPending(false), choose(e.target.value))}>
          <option value="">{t('settings.webOff')}</option>
          <option value="duckduckgo">{t('settings.provider.duckduckgo')}</option>
          <option value="brave">{t('settings.provider.brave')}</option>
          <option value="tavily">{t('settings.provider.tavily')}</option>
          <option value="searxng">{t('settings.provider.searxng')}</option>
        </Select>
      </Row>
      {showSearx ? (
        <Row label={t('settings.searxngUrl')} help={t('settings.searxngHelp')} htmlFor={`${id}-searx`}>
          <form
            className="setting__inline"
            onSubmit={(e) => {
              e.preventDefault();
              void save({ web: { provider: 'searxng', baseUrl: url.trim() } }).then((ok) => ok && setPending(false));
            }}
          >
            <TextInput id={`${id}-searx`} value={url} onChange={(e) => setUrl(e.target.value)} placeholder={t('settings.searxngPlaceholder')} spellCheck={false} />
            <Button type="submit" disabled={!/^https?:\/\/\S+$/.test(url.trim()) || (url.trim() === baseUrl && !pending)}>
              {t('settings.save')}
            </Button>
          </form>
        </Row>
      ) : null}
      {provider && KEYED.includes(provider) ? (
        <Row label={t('settings.apiKey')} help={keyStored ? t('settings.keyStored', { where: settings.secretStore }) : t('settings.keyMissing')} htmlFor={`${id}-key`}>
          <div className="setting__stack">
            <form
              className="setting__inline"
              onSubmit={(e) => {
                e.preventDefault();
                void storeKey();
              }}
            >
              <TextInput id={`${id}-key`} type="password" value={key} onChange={(e) => setKey(e.target.value)} placeholder={keyStored ? '••••••••••••' : t('settings.keyPlaceholder')} autoComplete="off" />
              <Button type="submit" icon={<KeyRound size={14} />} disabled={!key.trim()}>
                {keyStored ? t('settings.replaceKey') : t('settings.saveKey')}
              </Button>
            </form>
            {keyStored ? (
              <Button size="sm" variant="ghost" onClick={() => void forgetKey()}>
                {t('settings.forgetKey')}
              </Button>
            ) : null}
          </div>
        </Row>
      ) : null}
    </Group>
  );
}

function LocalApi({ settings }: { settings: Settings }) {
  const { t } = useT();
  const id = useId();
  const save = useSave();
  const [shown, setShown] = useState(false);
  const [renewing, setRenewing] = useState(false);
  const { enabled, port, appendSources } = settings.localApi;
  const [portText, setPortText] = useState(String(port));
  useEffect(() => setPortText(String(port)), [port]);
  const portValue = Number(portText);
  const portValid = Number.isInteger(portValue) && portValue >= 1024 && portValue <= 65535;
  const renew = async () => {
    try {
      setQueryData('settings.get', {}, await api.settings.newApiToken());
      notify(t('settings.tokenRenewed'));
    } catch (error) {
      notifyError(t('settings.saveFailed'), error);
    }
  };
  return (
    <Group title={t('settings.localApi')}>
      <Row label={t('settings.localApiSwitch')} help={t('settings.localApiHelp')} labelId={`${id}-switch`}>
        <Switch checked={enabled} labelledBy={`${id}-switch`} onChange={(on) => void save({ localApi: { enabled: on } })} />
      </Row>
      <Row label={t('settings.localApiUrl')} help={enabled && !settings.localApiUrl ? t('settings.localApiNotRunning') : t('settings.localApiUrlHelp')}>
        {settings.localApiUrl ? (
          <div className="path-value">
            <span className="mono" data-testid="local-api-url">
              {settings.localApiUrl}
            </span>
            <CopyButton text={settings.localApiUrl} label={t('settings.copyUrl')} />
          </div>
        ) : (
          <span className="setting__value setting__value--quiet">{enabled ? t('settings.notRunning') : t('settings.off')}</span>
        )}
      </Row>
      <Row label={t('settings.appendSources')} help={t('settings.appendSourcesHelp')} labelId={`${id}-append`}>
        <Switch checked={appendSources} labelledBy={`${id}-append`} onChange={(on) => void save({ localApi: { appendSources: on } })} />
      </Row>
      <Row label={t('settings.port')} help={t('settings.portHelp')} htmlFor={`${id}-port`}>
        <form
          className="setting__inline setting__inline--end"
          onSubmit={(e) => {
            e.preventDefault();
            if (portValid) void save({ localApi: { port: portValue } });
          }}
        >
          <TextInput id={`${id}-port`} value={portText} onChange={(e) => setPortText(e.target.value)} inputMode="numeric" className="setting__narrow" />
          <Button type="submit" disabled={!portValid || portValue === port}>
            {t('settings.save')}
          </Button>
        </form>
      </Row>
      <Row label={t('settings.token')} help={t('settings.tokenHelp')}>
        <div className="path-value">
          <span className="mono token" data-testid="api-token">
            {shown ? settings.apiToken : '•'.repeat(16)}
          </span>
          <IconButton size="sm" label={shown ? t('settings.hideToken') : t('settings.showToken')} icon={shown ? <EyeOff size={14} /> : <Eye size={14} />} onClick={() => setShown(!shown)} />
          <CopyButton text={settings.apiToken} label={t('settings.copyToken')} />
          <Button size="sm" variant="ghost" icon={<RefreshCw size={13} />} onClick={() => setRenewing(true)}>
            {t('settings.newToken')}
          </Button>
        </div>
      </Row>
      <ConfirmDialog open={renewing} onOpenChange={setRenewing} title={t('settings.newTokenTitle')} description={t('settings.newTokenText')} confirmLabel={t('settings.newToken')} onConfirm={() => void renew()} />
    </Group>
  );
}

function Shortcuts() {
  const { t } = useT();
  return (
    <table className="shortcuts">
      <tbody>
        {SHORTCUTS.map(([keys, label]) => (
          <tr key={keys}>
            <td>{t(label)}</td>
            <td>
              <Kbd>{keys === 'Alt+1' ? `${shortcutLabel('Alt+1')}…9` : shortcutLabel(keys)}</Kbd>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const TABS = [
  ['general', 'settings.general'],
  ['answers', 'settings.answers'],
  ['web', 'settings.web'],
  ['api', 'settings.localApi'],
  ['shortcuts', 'settings.shortcuts'],
] as const satisfies readonly (readonly [string, MessageKey])[];

export default function SettingsView() {
  const { t } = useT();
  const settings = useQuery('settings.get', {});
  const data = settings.data;
  return (
    <div className="view settings" data-testid="settings-view">
      <header className="view__header">
        <h1 className="view__title">{t('nav.settings')}</h1>
      </header>
      <Tabs.Root className="tabs" defaultValue="general">
        <Tabs.List className="tabs__list" aria-label={t('nav.settings')}>
          {TABS.map(([value, label]) => (
            <Tabs.Trigger key={value} className="tabs__trigger" value={value}>
              {t(label)}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        {settings.error ? <p className="quiet-note quiet-note--error">{settings.error.message}</p> : null}
        <Tabs.Content className="tabs__content" value="general">
          <div className="page">
            <General />
          </div>
        </Tabs.Content>
        <Tabs.Content className="tabs__content" value="answers">
          <div className="page">{data ? <Answers settings={data} /> : null}</div>
        </Tabs.Content>
        <Tabs.Content className="tabs__content" value="web">
          <div className="page">{data ? <WebSearch settings={data} /> : null}</div>
        </Tabs.Content>
        <Tabs.Content className="tabs__content" value="api">
          <div className="page">{data ? <LocalApi settings={data} /> : null}</div>
        </Tabs.Content>
        <Tabs.Content className="tabs__content" value="shortcuts">
          <div className="page">
            <Shortcuts />
          </div>
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
