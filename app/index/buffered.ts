// Runs an async function over a stream with at most `concurrency` calls in flight, yielding
// results as they finish. The consumer may be slow (embedding): calls already started keep
// running meanwhile, which is how extraction overlaps embedding with bounded memory. A consumer
// that stops early (or a call that fails) still waits for the calls already started: none may
// outlive the run, since what they use (the extractor pool, the library) is closed next.

export async function* bufferedMap<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  const inFlight = new Map<number, Promise<{ key: number; result: R }>>();
  let nextKey = 0;
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && inFlight.size < concurrency) {
      const step = await iterator.next();
      if (step.done) {
        exhausted = true;
        break;
      }
      const key = nextKey++;
      inFlight.set(key, fn(step.value).then((result) => ({ key, result })));
    }
  };
  try {
    await fill();
    while (inFlight.size) {
      const { key, result } = await Promise.race(inFlight.values());
      inFlight.delete(key);
      await fill();
      yield result;
    }
  } finally {
    await Promise.allSettled(inFlight.values());
    await iterator.return?.();
  }
}
