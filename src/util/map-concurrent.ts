/**
 * Runs `fn` over `items` with at most `limit` calls in flight. The first
 * rejection stops new calls from starting and is rethrown once the calls in
 * flight settle; per-item failures the caller can tolerate must be caught in `fn`.
 */
export async function mapConcurrent<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
