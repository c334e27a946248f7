// Where documents come from: watched folders (chokidar) and mailboxes. Each source queues work in
// the store's job queue; app/index does the reading, chunking and embedding.
