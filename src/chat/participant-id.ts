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

/**
 * Usernames starting with `~` belong to the service, not to a participant
 * (the broker's archive joins a room as `~archive-…` to read its history
 * after a restart): never shown as present, never taken for the other side,
 * never whispered to.
 */
export function isServiceUsername(username: string): boolean {
  return username.startsWith(SEPARATOR);
}
