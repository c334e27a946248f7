// The metric functions on cases small enough to work out by hand (figures in the comments).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstOccurrences, mean, ndcgAt, recallAt, reciprocalRankAt } from './metrics.ts';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);
const judged = (entries: Record<string, number>) => new Map(Object.entries(entries));

test('nDCG: one relevant document at rank 2 scores 1/log2(3)', () => {
  close(ndcgAt(['a', 'b', 'c'], judged({ b: 1 }), 10), 1 / Math.log2(3)); // 0.6309
  close(ndcgAt(['b', 'a'], judged({ b: 1 }), 10), 1);
});

test('nDCG: graded judgements use linear gain, and the ideal ranking orders by grade', () => {
  // DCG = 2/log2(3) + 1/log2(4) = 1.26186 + 0.5; IDCG = 2/log2(2) + 1/log2(3) = 2 + 0.63093.
  close(ndcgAt(['x', 'a', 'b'], judged({ a: 2, b: 1 }), 10), (2 / Math.log2(3) + 0.5) / (2 + 1 / Math.log2(3)));
  close(ndcgAt(['a', 'b'], judged({ a: 2, b: 1 }), 10), 1);
  assert.ok(ndcgAt(['b', 'a'], judged({ a: 2, b: 1 }), 10) < 1, 'the wrong order of grades loses');
});

test('nDCG: relevant documents never retrieved still count in the ideal', () => {
  // DCG = 1; IDCG = 1 + 1/log2(3).
  close(ndcgAt(['a'], judged({ a: 1, b: 1 }), 10), 1 / (1 + 1 / Math.log2(3)));
});

test('nDCG: the cut-off ignores what ranks below it; grade 0 is not relevant', () => {
  const ranked = [...'abcdefghij'].map((c) => `n${c}`).concat('hit');
  close(ndcgAt(ranked, judged({ hit: 1 }), 10), 0);
  close(ndcgAt(ranked, judged({ hit: 1 }), 11), 1 / Math.log2(12));
  close(ndcgAt(['a', 'b'], judged({ a: 0, b: 1 }), 10), 1 / Math.log2(3));
  close(ndcgAt(['a'], judged({ a: 0 }), 10), 0);
});

test('recall counts relevant documents found within the cut-off', () => {
  close(recallAt(['a', 'b', 'c'], judged({ b: 1, z: 1 }), 100), 0.5);
  close(recallAt(['a', 'b', 'c'], judged({ b: 1 }), 1), 0);
  close(recallAt(['a', 'b', 'c'], judged({ b: 1, c: 2 }), 3), 1);
  close(recallAt(['a'], judged({ a: 0 }), 10), 0);
});

test('reciprocal rank is 1/rank of the first relevant document within the cut-off', () => {
  close(reciprocalRankAt(['a', 'b', 'c'], judged({ b: 1, c: 1 }), 10), 0.5);
  close(reciprocalRankAt(['a', 'b', 'c'], judged({ c: 1 }), 2), 0);
  close(reciprocalRankAt([], judged({ c: 1 }), 10), 0);
});

test('chunks collapse to documents at their first (best) rank; mean of nothing is 0', () => {
  assert.deepEqual(firstOccurrences(['d1', 'd2', 'd1', 'd3', 'd2']), ['d1', 'd2', 'd3']);
  close(mean([1, 0, 0.5]), 0.5);
  close(mean([]), 0);
});
