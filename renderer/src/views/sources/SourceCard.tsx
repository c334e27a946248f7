// One watched folder or mail account as a card: what it is, what it is doing now (a progress bar
// with n of m, rate and time left while it scans, indexes or syncs; since when it is in step while
// it watches; the error in plain words with what to do), its rules or folders, and its actions.
import * as Collapsible from '@radix-ui/react-collapsible';
import { ChevronRight, CircleAlert, FolderTree, Mail, MoreHorizontal, Pause, Pencil, Play, RefreshCw, Trash2 } from 'lucide-react';
import type { ReactNode } from 'react';
import type { MailAccountInfo, SourceStatus } from '../../../../app/contract/index.ts';
import { Button, IconButton } from '../../components/Button.tsx';
import { Menu, MenuItem, MenuSeparator } from '../../components/Menu.tsx';
import { ProgressBar, ProgressLine } from '../../components/Progress.tsx';
import { useT, type Translator } from '../../i18n/index.tsx';
import { useActivity } from '../../state/activity.ts';
import { useNow } from '../../state/now.ts';
import { explain } from './explain.ts';

export interface SourceActions {
  pause(): void;
  resume(): void;
  remove(): void;
  /** Folders: change the rules; mail: enter the password again. */
  edit(): void;
  /** Mail: sync now. */
  sync?(): void;
}

function busy(state: SourceStatus['state']['state']): boolean {
  return state === 'scanning' || state === 'indexing' || state === 'syncing';
}

/** The line under the name: what it is doing, since when it is in step. */
function StateLine({ source, now }: { source: SourceStatus; now: number }) {
  const tr = useT();
  const { t } = tr;
  const jobs = useActivity();
  const job = jobs.find((j) => j.id === `source:${source.id}`);
  const { state, done, total } = source.state;
  const mail = source.kind === 'mailbox';
  const synced = source.syncedAt ? t(mail ? 'sources.lastSync' : 'sources.inStep', { time: tr.relative(source.syncedAt, now) }) : mail ? t('sources.neverSynced') : null;

  if (busy(state)) {
    const known = total !== null && total !== undefined && total > 0;
    const label = t(`sources.doing.${state as 'scanning' | 'indexing' | 'syncing'}`);
    return (
      <div className="src-card__progress">
        <ProgressBar done={done ?? 0} total={known ? total : null} label={`${source.name}: ${label}`} />
        <div className="src-card__line">
          <span className="src-card__doing">{label}</span>
          {known || (done ?? 0) > 0 ? <ProgressLine done={done ?? 0} total={known ? total : null} unit={mail ? 'messages' : 'files'} rate={job?.rate ?? null} etaSeconds={job?.etaSeconds ?? null} /> : null}
        </div>
      </div>
    );
  }
  const text =
    state === 'watching' ? t(mail ? 'sources.watchingMail' : 'sources.watchingFolder')
    : state === 'paused' ? t(mail ? 'sources.pausedMail' : 'sources.pausedFolder')
    : state === 'reconnecting' ? t('sources.reconnecting')
    : state === 'idle' ? t(mail ? 'sources.idleMail' : 'sources.idleFolder')
    : null;
  if (text === null) return synced ? <div className="src-card__line src-card__line--quiet">{synced}</div> : null;
  return (
    <div className="src-card__line">
      <span className={`src-card__dot src-card__dot--${state}`} aria-hidden="true" />
      <span>{text}</span>
      {synced ? <span className="src-card__quiet">· {synced}</span> : null}
    </div>
  );
}

/** An error (or a reconnect's reason) in plain words, the engine's own words under it, and what to do. */
function Trouble({ source, action }: { source: SourceStatus; action?: ReactNode }) {
  const { t } = useT();
  const { state, reason, code } = source.state;
  if (state !== 'error' && !(state === 'reconnecting' && reason)) return null;
  const plain = explain(code);
  return (
    <div className={`src-card__trouble src-card__trouble--${state}`} role={state === 'error' ? 'alert' : undefined}>
      <CircleAlert size={15} aria-hidden="true" />
      <div className="src-card__trouble-body">
        {plain ? <p className="src-card__trouble-title">{t(plain)}</p> : null}
        {reason ? <p className={plain ? 'src-card__trouble-detail' : 'src-card__trouble-title'}>{reason}</p> : null}
        {action ? <div className="src-card__trouble-action">{action}</div> : null}
      </div>
    </div>
  );
}

function Facts({ children }: { children: ReactNode[] }) {
  const shown = children.filter(Boolean);
  return shown.length ? <div className="src-card__facts">{shown.map((c, i) => <span key={i}>{c}</span>)}</div> : null;
}

function rulesOf(tr: Translator, source: SourceStatus): ReactNode[] {
  const { t } = tr;
  const max = source.maxFileBytes;
  return [
    source.include?.length ? t('sources.rules.only', { globs: source.include.join(', ') }) : null,
    source.exclude?.length ? t('sources.rules.leavesOut', { globs: source.exclude.join(', ') }) : null,
    max && max !== 100 * 1048576 ? t('sources.rules.maxSize', { size: tr.bytes(max) }) : null,
  ];
}

function LeftOut({ source }: { source: SourceStatus }) {
  const { t } = useT();
  const count = source.problemCount ?? source.problems?.length ?? 0;
  if (!count || !source.problems?.length) return null;
  return (
    <Collapsible.Root className="src-card__leftout">
      <Collapsible.Trigger className="fold__trigger">
        <ChevronRight size={14} className="fold__chevron" aria-hidden="true" />
        {t('sources.leftOut', { count })}
      </Collapsible.Trigger>
      <Collapsible.Content>
        <ul className="src-card__problems">
          {source.problems.map((p) => (
            <li key={p.path}>
              <span className="mono">{p.path}</span>
              <span className="src-card__quiet">{p.reason}</span>
            </li>
          ))}
          {count > source.problems.length ? <li className="src-card__quiet">{t('sources.leftOutMore', { count: count - source.problems.length })}</li> : null}
        </ul>
      </Collapsible.Content>
    </Collapsible.Root>
  );
}

export function SourceCard({ source, account, actions }: { source: SourceStatus; account?: MailAccountInfo | undefined; actions: SourceActions }) {
  const tr = useT();
  const { t } = tr;
  const now = useNow();
  const mail = source.kind === 'mailbox';
  const { state, code } = source.state;
  const paused = state === 'paused';
  const security = account ? t(`sources.security.${account.security}`) : null;

  const facts = mail
    ? [
        t('sources.messages', { count: account?.messages ?? source.documents }),
        account?.pending ? t('sources.pending', { count: account.pending }) : null,
        account ? t('sources.mailFolders', { folders: account.folders.join(', ') }) : null,
      ]
    : [t('sources.documents', { count: source.documents }), ...rulesOf(tr, source)];

  const fix =
    mail && state === 'error' ? (
      <Button size="sm" icon={<Pencil size={13} />} onClick={actions.edit}>
        {code === 'mail-auth-failed' ? t('sources.enterPassword') : t('sources.checkAccount')}
      </Button>
    ) : undefined;

  return (
    <li className={`src-card src-card--${state}`} data-testid="source-card" data-kind={source.kind} aria-label={source.name}>
      <div className="src-card__icon" aria-hidden="true">
        {mail ? <Mail size={18} /> : <FolderTree size={18} />}
      </div>
      <div className="src-card__main">
        <div className="src-card__head">
          <h3 className="src-card__name" title={source.name}>
            {source.name}
          </h3>
          <span className={`badge badge--state-${state}`}>{t(`sourceState.${state}`)}</span>
        </div>
        <div className="src-card__where" title={source.uri}>
          {mail && account ? `${account.host}:${account.port} · ${security}` : source.uri}
        </div>
        <StateLine source={source} now={now} />
        <Trouble source={source} action={fix} />
        <Facts>{facts}</Facts>
        {mail ? null : <LeftOut source={source} />}
      </div>
      <div className="src-card__actions">
        {paused ? (
          <Button size="sm" icon={<Play size={13} />} onClick={actions.resume}>
            {t('sources.resume')}
          </Button>
        ) : (
          <Button size="sm" variant="ghost" icon={<Pause size={13} />} onClick={actions.pause}>
            {t('sources.pause')}
          </Button>
        )}
        <Menu trigger={<IconButton size="sm" label={t('sources.actionsFor', { name: source.name })} icon={<MoreHorizontal size={16} />} />}>
          {mail && actions.sync ? (
            <MenuItem icon={<RefreshCw size={14} />} onSelect={actions.sync} disabled={paused}>
              {t('sources.syncNow')}
            </MenuItem>
          ) : null}
          <MenuItem icon={<Pencil size={14} />} onSelect={actions.edit}>
            {mail ? t('sources.editAccount') : t('sources.editRules')}
          </MenuItem>
          <MenuSeparator />
          <MenuItem icon={<Trash2 size={14} />} onSelect={actions.remove} danger>
            {t('sources.remove')}
          </MenuItem>
        </Menu>
      </div>
    </li>
  );
}
