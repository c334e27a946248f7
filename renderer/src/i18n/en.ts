// English: the source catalogue. Every visible string of the window is a key here; zh-CN.ts must
// have the same keys (the type checker and test/renderer/i18n.test.ts check). {name} is filled
// in; a { one, other } message is chosen by `count`.
import { activityEn } from './views/activity.en.ts';
import { firstRunEn } from './views/first-run.en.ts';
import { libraryEn } from './views/library.en.ts';
import { modelsEn } from './views/models.en.ts';
import { settingsEn } from './views/settings.en.ts';
import { sourceEn } from './views/source.en.ts';
import { sourcesEn } from './views/sources.en.ts';

export const en = {
  ...activityEn,
  ...libraryEn,
  ...sourceEn,

  'app.name': 'Cairn',

  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.copied': 'Copied',
  'common.copyCode': 'Copy code',
  'common.dismiss': 'Dismiss',
  'common.loading': 'Loading…',

  'nav.chat': 'Chat',
  'nav.library': 'Library',
  'nav.sources': 'Sources',
  'nav.models': 'Models',
  'nav.settings': 'Settings',

  'shell.sidebar': 'Sidebar',
  'shell.views': 'Views',
  'shell.status': 'Status',

  'status.opening': 'Opening the library…',
  'status.documents': { one: '{count} document', other: '{count} documents' },
  'status.passages': { one: '{count} passage', other: '{count} passages' },
  'status.searchHybrid': 'keyword and meaning search',
  'status.searchKeyword': 'keyword search only',
  'status.problems': { one: '{count} problem', other: '{count} problems' },

  'engine.stopped': 'The engine stopped.',
  'engine.failed': 'The engine is not running:',
  'engine.restarting': 'Restarting it; what you see stays here meanwhile.',
  'engine.reconnected': 'Reconnected: everything shown is up to date again.',

  'error.title': 'This part of the window failed',
  'error.text': 'Nothing was lost: your library is untouched. Try again, or switch to another view.',
  'error.retry': 'Try again',

  'progress.of.files': { one: '{done} of {total} file', other: '{done} of {total} files' },
  'progress.of.chunks': { one: '{done} of {total} passage', other: '{done} of {total} passages' },
  'progress.of.messages': { one: '{done} of {total} message', other: '{done} of {total} messages' },
  'progress.of.bytes': '{done} of {total}',
  'progress.of.pages': { one: '{done} of {total} page', other: '{done} of {total} pages' },
  'progress.count.files': { one: '{count} file', other: '{count} files' },
  'progress.count.chunks': { one: '{count} passage', other: '{count} passages' },
  'progress.count.messages': { one: '{count} message', other: '{count} messages' },
  'progress.count.bytes': '{amount}',
  'progress.count.pages': { one: '{count} page', other: '{count} pages' },
  'progress.rate.files': '{rate} files/s',
  'progress.rate.chunks': '{rate} passages/s',
  'progress.rate.messages': '{rate} messages/s',
  'progress.rate.bytes': '{rate}/s',
  'progress.rate.pages': '{rate} pages/s',
  'progress.eta': 'about {time} left',

  'time.justNow': 'just now',
  'time.seconds': { one: '{count} s', other: '{count} s' },
  'time.minutes': { one: '{count} min', other: '{count} min' },
  'time.minutesSeconds': '{m} min {s} s',
  'time.hoursMinutes': '{h} h {m} min',

  'chat.conversations': 'Conversations',
  'chat.new': 'New',
  'chat.newTitle': 'New conversation',
  'chat.searchConversations': 'Search conversations',
  'chat.noConversations': 'No conversations yet.',
  'chat.noMatch': 'No conversation has that in its title.',
  'chat.actionsFor': 'Actions for “{title}”',
  'chat.rename': 'Rename',
  'chat.renameTitle': 'Rename conversation',
  'chat.titleLabel': 'Title',
  'chat.renameFailed': 'Could not rename',
  'chat.export': 'Export as Markdown',
  'chat.exported': 'Saved {file}',
  'chat.exportFailed': 'Could not export',
  'chat.delete': 'Delete',
  'chat.deleteTitle': 'Delete this conversation?',
  'chat.deleteText': '“{title}” and its answers will be deleted. Your documents stay in the library.',
  'chat.deleteFailed': 'Could not delete',
  'chat.emptyTitle': 'Ask about your files and mail',
  'chat.emptyText': 'Answers cite the documents, pages and emails they come from. Hover a number to see the passage.',
  'chat.askFailed': 'Could not ask',
  'chat.stopFailed': 'Could not stop the answer',
  'chat.scopeFailed': 'Could not change what this conversation searches',
  'chat.edit': 'Edit and send again',
  'chat.editQuestion': 'Edit the question',
  'chat.sendEdited': 'Send',
  'chat.copy': 'Copy answer',
  'chat.regenerate': 'Answer again',
  'chat.stop': 'Stop',
  'chat.stopped': 'Stopped: the answer above is what was written until then.',
  'chat.searching': 'Searching your library…',
  'chat.writing': 'Writing…',
  'chat.thinking': 'Thinking…',
  'chat.thoughtFor': 'Thought for {time}',
  'chat.thoughts': 'Thoughts',
  'chat.sources': 'Sources',
  'chat.searched': 'What was searched',
  'chat.passagesCited': { one: '{count} passage, {cited} cited', other: '{count} passages, {cited} cited' },
  'chat.searchedFor': 'Searched for',
  'chat.searchedRewritten': 'Searched for (your follow-up, made standalone)',
  'chat.searchedUnderstood': 'Understood',
  'chat.searchedPassages': 'Passages given to the model (cited ones marked)',

  'composer.label': 'Your question',
  'composer.placeholder': 'Ask about your documents and mail…',
  'composer.send': 'Send',
  'composer.web': 'Also search the web',
  'composer.webShort': 'Web',
  'composer.noModel': 'No chat model: choose one',

  'scope.title': 'Search',
  'scope.all': 'Whole library',
  'scope.none': 'No library (plain chat)',
  'scope.chosen': 'Only these sources',
  'scope.some': { one: '{count} source', other: '{count} sources' },
  'scope.label': 'What to search: {scope}',



  'shortcuts.newChat': 'New conversation',
  'shortcuts.search': 'Focus search',
  'shortcuts.stop': 'Stop the answer; close the source pane',
  'shortcuts.chat': 'Chat',
  'shortcuts.library': 'Library',
  'shortcuts.sources': 'Sources',
  'shortcuts.models': 'Models',
  'shortcuts.settings': 'Settings',
  'shortcuts.citation': 'Open source 1…9 of the last answer',
  'shortcuts.send': 'Send the question',
  'shortcuts.newLine': 'New line in the question',

  ...firstRunEn,
  ...sourcesEn,
  ...modelsEn,
  ...settingsEn,
} satisfies Record<string, string | { one: string; other: string }>;

export type MessageKey = keyof typeof en;
