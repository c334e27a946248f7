// (m) IMAP initial sync from a local Dovecot into an empty library, messages per second from the
// start of the sync until the last message is searchable: a 3,000-message folder (300 at
// CAIRN_BENCH_SCALE=small) keyword-only (fetch, queue, extraction, chunking, full-text writes),
// and a 300-message folder (60 small) of the same messages embedded with the tiny GGUF model on
// one thread. With the embedder the figure is the embedder's speed (about 0.1-0.4 s a chunk for
// stories260K on one thread here), the same at any mailbox size, so a smaller folder tells as much
// as the whole 3,000 would in a twentieth of the time.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openEmbedder } from '../../app/embed/index.ts';
import { Engine } from '../../app/engine.ts';
import { MailService } from '../../app/sources/mail-service.ts';
import { MemorySecretStore } from '../../app/sources/secrets.ts';
import { Dovecot, dovecotBinary, testMessage } from '../support/dovecot.ts';
import { benchDir } from './folders.ts';
import { atLeast, info, report, seconds } from './report.ts';
import { benchModelPath, benchScale } from './scale.ts';
import { TextSource } from './synthetic.ts';

const binary = dovecotBinary();
if (!binary) {
  console.error('The mail bench needs Dovecot (apt-get install -y dovecot-imapd).');
  process.exit(1);
}
const count = benchScale().name === 'small' ? 300 : 3_000;
const embedCount = benchScale().name === 'small' ? 60 : 300;
const password = 'bench-pw';
const server = await Dovecot.start(binary, [{ user: 'bench', password }]);
const work = benchDir('mail');
try {
  const text = new TextSource(5);
  const people = ['Ada <ada@example.com>', 'Grace <grace@example.org>', 'Linus <linus@example.net>', 'Barbara <barbara@example.com>'];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const raw = testMessage({
      subject: text.title(),
      body: `${text.paragraph(300)}\n\n${text.paragraph(200)}`,
      from: people[i % people.length]!,
      to: people[(i + 1) % people.length]!,
      date: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000),
    });
    bytes += raw.length;
    server.deliver(raw, 'INBOX', 'bench');
    if (i < embedCount) server.deliver(raw, 'Archive', 'bench');
  }
  console.log(`${count} messages (${(bytes / count / 1024).toFixed(1)} KiB each on average) from ${text.origin}`);

  const run = async (label: string, withEmbedder: boolean, folder: string, count: number) => {
    const embedder = withEmbedder ? await openEmbedder({ type: 'gguf', modelPath: benchModelPath, threads: 1 }) : null;
    const engine = await Engine.open({ dbPath: join(work, `${label}.db`), embedder });
    try {
      const mail = new MailService({ library: engine.library, secrets: new MemorySecretStore(), index: () => engine.index() });
      await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'bench', secret: password, folders: [folder] });
      const started = performance.now();
      const summary = await mail.sync();
      const secs = seconds(started);
      const indexed = mail.list()[0]!.messages;
      if (indexed !== count || summary.added !== count) throw new Error(`${label}: ${summary.added} fetched, ${indexed} indexed of ${count}`);
      console.log(`${label}: ${count} messages in ${secs.toFixed(1)} s (${engine.status().chunks} chunks)`);
      return count / secs;
    } finally {
      await engine.close();
    }
  };

  const keywordOnly = await run('keyword-only', false, 'INBOX', count);
  const embedded = await run('embedded', true, 'Archive', embedCount);
  report([
    atLeast(`(m) mail initial sync, ${count} messages, embedding excluded`, keywordOnly, 'messages/s', 100),
    info(`(m) mail initial sync, ${embedCount} messages, tiny GGUF embedder (1 thread)`, embedded, 'messages/s'),
  ]);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
