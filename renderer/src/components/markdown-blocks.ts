// Splits Markdown into top-level blocks, so that while an answer streams only its last block is
// parsed and rendered again (the others are memoised): the cost of a delta stays flat however
// long the answer grows. A block ends at a blank line followed by an unindented line, outside
// fenced code; indented lines continue the block (a list item's second paragraph).
export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let blank = false;
  for (const line of text.split('\n')) {
    if (fence === null && blank && current.length && line.trim() && !/^\s/.test(line)) {
      blocks.push(current.join('\n'));
      current = [];
    }
    current.push(line);
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    }
    blank = fence === null && line.trim() === '';
  }
  if (current.length) blocks.push(current.join('\n'));
  return blocks;
}
