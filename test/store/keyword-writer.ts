// Child process for the keyword index's crash test: writes, removes and retitles documents in
// transactions without end, printing a line after each commit so the parent can kill it anywhere.
import { analyze } from '../../app/search/analyze.ts';
import { Library } from '../../app/store/index.ts';
import { docInput } from '../support/documents.ts';

const words = 'zebrafish kinase protein cell tissue invoice lunch october report model river mountain signal noise'.split(' ');
let seed = Number(process.argv[3] ?? 1);
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const text = (n: number) => Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ');

const library = Library.open(process.argv[2]!);
const source = library.sources.ensure('import', '/d', 'd');
for (let n = 0; ; n++) {
  library.transaction(() => {
    for (let i = 0; i < 5; i++) {
      const path = `/d/${Math.floor(random() * 200)}`;
      const title = text(2);
      const id = library.documents.upsert(docInput(source.id, path, { title }));
      const chunks = Array.from({ length: 1 + Math.floor(random() * 4) }, () => text(20 + Math.floor(random() * 40)));
      library.documents.insertChunks(id, chunks.map((t) => ({ text: t, start: 0, end: t.length, page: null, headingPath: [], tokenCount: 1, ftsTitle: analyze(`${title} `), ftsBody: analyze(t) })));
    }
    library.documents.removeByPath(`/d/${Math.floor(random() * 200)}`);
  });
  process.stdout.write(`committed ${n}\n`);
}
