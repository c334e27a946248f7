// Keyword ranking of Chinese and Japanese questions in a small library, where BM25 alone gives
// question words and particles (什么, 怎么, 的, は, 何) and lone characters split from a number
// (2022年 → 2022, 年) more weight than they carry.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { tempDir } from '../support/corpus.ts';

const notes: Record<string, string> = {
  panda: '大熊猫主要生活在四川、陕西和甘肃的山区，主要吃竹子。',
  chat: '小王：你在哪里？小李：我在家呢，怎么了？小王：晚上吃什么？小李：吃什么都行。',
  zoo: '上个周末我们去了动物园，看到了两只大熊猫，它们一直在睡觉。',
  cup2022: '2022年世界杯在卡塔尔举行，阿根廷在决赛中战胜法国，获得冠军。',
  cupHistory: '第一届世界杯于1930年在乌拉圭举行。巴西是获得世界杯冠军次数最多的国家，一共五次。',
  osaka: '大阪は日本で二番目に大きい都市圏で、たこ焼きとお好み焼きが有名です。',
  sushi: '寿司は酢飯に魚や野菜をのせた日本の料理です。回転寿司は手頃な値段で楽しめます。',
  evening: '「今日は何時に帰りますか？」「たぶん7時ごろです。何か買ってきましょうか？」',
  report: '公司2023年年报：全年营业收入12亿元，同比增长8%。',
  timeline: '历年营业收入：2019年8亿元，2020年9亿元，2021年10亿元，2022年11亿元。',
};

let engine: Engine;

before(async () => {
  const dir = tempDir();
  for (const [name, text] of Object.entries(notes)) writeFileSync(join(dir, `${name}.txt`), text);
  engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null });
  engine.add([dir]);
  assert.equal((await engine.index()).errors, 0);
});

after(() => engine.close());

const first = async (query: string) => {
  const [hit] = (await engine.search({ query, mode: 'bm25', k: 3 })).hits;
  return hit?.uri.replace(/^.*\/|\.txt$/g, '');
};

test('question words and particles do not outrank the words of the topic', async () => {
  assert.equal(await first('大熊猫吃什么？'), 'panda');
  assert.equal(await first('大阪で有名な食べ物は何ですか？'), 'osaka');
});

test('a character split from the number before it counts only with that number', async () => {
  // 年 (year) alone would find every note with a date in it.
  const { hits } = await engine.search({ query: '2023年的营业收入是多少', mode: 'bm25' });
  assert.deepEqual(hits.map((h) => h.uri.replace(/^.*\/|\.txt$/g, '')), ['report', 'timeline']);
  assert.deepEqual(hits[0]!.highlights.map(([s, e]) => hits[0]!.snippet.slice(s, e)), ['2023年', '营业', '收入']);
});

test('a query of stop words only still searches', async () => {
  assert.ok((await engine.search({ query: '什么', mode: 'bm25' })).hits.some((h) => h.uri.endsWith('chat.txt')));
});
