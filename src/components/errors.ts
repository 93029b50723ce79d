/** The message of something thrown, for showing to a person. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `action`; when it throws, hands the message to `onError` and returns false. */
export function attempt(action: () => void, onError: (message: string) => void): boolean {
  try {
    action();
    return true;
  } catch (err) {
    onError(messageOf(err));
    return false;
  }
}
