import { english, type Coded, type MessageKey, type Params } from './catalogue.js';

/**
 * An error a person may read: its `message` is English (for hosts and logs),
 * its `code` and `params` let an element say it in the viewer's language.
 */
export class CodedError extends Error implements Coded {
  readonly params: Params;
  constructor(readonly code: MessageKey, params: Params = {}) {
    super(english(code, params as never));
    this.params = params;
  }
}

/** The code of an error (or a Coded value), if it has one. */
export function codedOf(err: unknown): Coded | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const o = err as Partial<Coded>;
  return typeof o.code === 'string' && o.code.includes('.') ? { code: o.code as MessageKey, params: o.params ?? {} } : undefined;
}
