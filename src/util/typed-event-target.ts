/**
 * EventTarget whose event names and detail types are checked by TypeScript.
 * Every event is a CustomEvent carrying an object detail.
 */
export class TypedEventTarget<M extends object> extends EventTarget {
  emit<K extends keyof M & string>(type: K, detail: M[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  on<K extends keyof M & string>(type: K, listener: (detail: M[K]) => void, options?: AddEventListenerOptions): () => void {
    const wrapped = (e: Event) => listener((e as CustomEvent<M[K]>).detail);
    this.addEventListener(type, wrapped, options);
    return () => this.removeEventListener(type, wrapped, options);
  }
}

/** Rejects with the signal's reason when it aborts; resolves/rejects with `promise` otherwise. */
export function withAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError');
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return withAbort(new Promise((r) => setTimeout(r, ms)), signal);
}
