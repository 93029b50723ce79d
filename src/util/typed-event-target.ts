/**
 * EventTarget whose event names and detail types are checked by TypeScript.
 * Every event is a CustomEvent carrying an object detail.
 */
export class TypedEventTarget<M extends object> extends EventTarget implements Observable<M> {
  emit<K extends keyof M & string>(type: K, detail: M[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  on<K extends keyof M & string>(type: K, listener: (detail: M[K]) => void, options?: AddEventListenerOptions): () => void {
    const wrapped = (e: Event) => listener((e as CustomEvent<M[K]>).detail);
    this.addEventListener(type, wrapped, options);
    return () => this.removeEventListener(type, wrapped, options);
  }
}

/** What a TypedEventTarget offers its listeners: interfaces of the core's controllers extend it. */
export interface Observable<M extends object> extends EventTarget {
  on<K extends keyof M & string>(type: K, listener: (detail: M[K]) => void, options?: AddEventListenerOptions): () => void;
}
