// Filters a question implies: "What did Alice say about the invoice last week?" means email from
// Alice, dated last week. People ask about their mail this way, and keyword search alone would
// look for the words "alice", "last" and "week" instead. English phrasing only; the user's own
// filters always win, and retrieval falls back to the unfiltered search when these find nothing.
import type { SearchFilters } from '../contract/index.ts';

export interface QuestionFilters {
  /** Filters read from the question (empty when it implies none). */
  filters: Pick<SearchFilters, 'from' | 'to' | 'dateFrom' | 'dateTo'>;
  /** The question without the phrases that became filters, for the keyword search. */
  query: string;
  /** What was understood, for the user: e.g. "from Alice, 16–22 Nov 2026". */
  description: string | null;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
// Capitalised words that are not people: pronouns, words that start questions, months, days.
const NOT_NAMES = new Set([
  ...'i you we they he she it someone anyone everyone somebody anybody people the my our this that'.split(' '),
  ...'what who whom when where why how which please can could would will should did does do is are was were has have had tell show find list give summarize summarise explain'.split(' '),
  ...'january february march april may june july august september october november december'.split(' '),
  ...'monday tuesday wednesday thursday friday saturday sunday today yesterday'.split(' '),
]);

// A person: a capitalised name of one or two words, or an email address.
const PERSON = String.raw`([A-Z][\p{L}'-]+(?: [A-Z][\p{L}'-]+)?|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)`;
const SPEECH = String.raw`(?:say|said|says|write|wrote|writes|send|sent|sends|mention|mentioned|mentions|ask|asked|asks|tell|told|tells|reply|replied|replies|suggest|suggested|propose|proposed|think|thought|want|wanted|email|emailed|mail|mailed)`;

const senderPatterns = [
  new RegExp(String.raw`\b(?:from|by) ${PERSON}`, 'u'),
  new RegExp(String.raw`\b(?:did|does|has|had|do) ${PERSON} ${SPEECH}\b`, 'u'),
  new RegExp(String.raw`\b${PERSON} (?:${SPEECH})\b`, 'u'),
  new RegExp(String.raw`\b${PERSON}'s (?:e-?mails?|mails?|messages?|note|reply|answer)\b`, 'u'),
];
const recipientPatterns = [
  new RegExp(String.raw`\b(?:sent|wrote|write|send|e-?mailed|replied|reply|mails?|e-?mails?|messages?) to ${PERSON}`, 'u'),
];

/** Reads sender, recipient and date filters from a question, relative to `now`. */
export function questionFilters(question: string, now: Date = new Date()): QuestionFilters {
  let query = question;
  const filters: QuestionFilters['filters'] = {};
  const said: string[] = [];

  const person = (patterns: RegExp[]): string | undefined => {
    for (const pattern of patterns) {
      const match = pattern.exec(query);
      const name = match?.[1];
      if (!match || !name || NOT_NAMES.has(name.split(' ')[0]!.toLowerCase())) continue;
      // Only the name leaves the query: the verb or "from" may still carry meaning for ranking.
      query = query.replace(name, ' ');
      return name;
    }
    return undefined;
  };
  const to = person(recipientPatterns);
  if (to) {
    filters.to = to;
    said.push(`to ${to}`);
  }
  const from = person(senderPatterns);
  if (from) {
    filters.from = from;
    said.push(`from ${from}`);
  }

  const range = dateRange(query, now);
  if (range) {
    filters.dateFrom = range.from;
    filters.dateTo = range.to;
    query = query.replace(range.phrase, ' ');
    said.push(range.label);
  }
  return { filters, query: query.replace(/\s+/g, ' ').trim() || question, description: said.length ? said.join(', ') : null };
}

interface DateRange {
  from: number;
  to: number;
  phrase: string;
  label: string;
}

/** A date range the text names ("last week", "yesterday", "in March", "past 3 days"), or null. */
function dateRange(text: string, now: Date): DateRange | null {
  const today = startOfDay(now);
  const lower = text.toLowerCase();
  const make = (phrase: string, from: number, to: number): DateRange => ({ phrase, from, to: to - 1, label: describeRange(from, to - 1) });

  let m = /\b(today|yesterday)\b/.exec(lower);
  if (m) {
    const start = m[1] === 'today' ? today : addDays(today, -1);
    return make(text.slice(m.index, m.index + m[0].length), start, addDays(start, 1));
  }
  m = /\b(this|last|past|previous) (week|month|year)\b/.exec(lower);
  if (m) {
    const phrase = text.slice(m.index, m.index + m[0].length);
    const unit = m[2]!;
    const start = unit === 'week' ? startOfWeek(now) : unit === 'month' ? localDate(now.getFullYear(), now.getMonth(), 1) : localDate(now.getFullYear(), 0, 1);
    if (m[1] === 'this') return make(phrase, start, addDays(today, 1));
    const previous = unit === 'week' ? addDays(start, -7) : unit === 'month' ? localDate(now.getFullYear(), now.getMonth() - 1, 1) : localDate(now.getFullYear() - 1, 0, 1);
    return make(phrase, previous, start);
  }
  m = /\b(?:in the )?(?:last|past) (\d{1,3}) (day|week|month)s?\b/.exec(lower);
  if (m) {
    const n = Number(m[1]);
    const days = m[2] === 'day' ? n : m[2] === 'week' ? 7 * n : 30 * n;
    return make(text.slice(m.index, m.index + m[0].length), addDays(today, 1 - days), addDays(today, 1));
  }
  m = new RegExp(String.raw`\b(?:in|during|since) (${MONTHS.join('|')})(?: (\d{4}))?\b`).exec(lower);
  if (m) {
    const month = MONTHS.indexOf(m[1]!);
    // A month without a year is the latest one that has begun.
    const year = m[2] ? Number(m[2]) : month <= now.getMonth() ? now.getFullYear() : now.getFullYear() - 1;
    const start = localDate(year, month, 1);
    const end = m[0].startsWith('since') ? addDays(today, 1) : localDate(year, month + 1, 1);
    return make(text.slice(m.index, m.index + m[0].length), start, end);
  }
  return null;
}

// Days are the user's local days (midnight to midnight where they are), months calendar months.
function localDate(year: number, month: number, day: number): number {
  return new Date(year, month, day).getTime();
}

function startOfDay(date: Date): number {
  return localDate(date.getFullYear(), date.getMonth(), date.getDate());
}

function addDays(ms: number, days: number): number {
  const date = new Date(ms);
  return localDate(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

/** Monday 00:00 of the date's week. */
function startOfWeek(date: Date): number {
  return addDays(startOfDay(date), -((date.getDay() + 6) % 7));
}

function describeRange(from: number, to: number): string {
  const format = (ms: number) => {
    const d = new Date(ms);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  return format(from) === format(to) ? format(from) : `${format(from)} to ${format(to)}`;
}
