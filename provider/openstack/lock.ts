// A keyed lock for the provider process: operations on one server (stop, attach, start...) run one at a
// time, whichever resource kind asks (design.md "Rules of the provider core"). Module state, so every
// resource kind loaded in the process shares it.

const tails = new Map<string, Promise<void>>();

/**
 * Runs `fn` once every earlier `withLock` call with the same key has finished (in call order), and
 * returns its result. Keys are free-form: use e.g. `server:<id>`. Not re-entrant: do not nest the same key.
 */
export async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  try {
    await previous;
    return await fn();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
