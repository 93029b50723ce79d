/**
 * TextRoom usernames are `<participantId>~<connectionSuffix>`: unique per
 * connection (Janus refuses a username still in the room, e.g. a tab that was
 * just reloaded) while the participant id stays stable across reconnects.
 */
const SEPARATOR = '~';

export function connectionUsername(participantId: string): string {
  return `${participantId}${SEPARATOR}${globalThis.crypto.randomUUID().slice(0, 8)}`;
}

export function participantIdOf(username: string): string {
  const i = username.lastIndexOf(SEPARATOR);
  return i > 0 ? username.slice(0, i) : username;
}
