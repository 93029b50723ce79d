import { exportPublicKey, generateSigningKeyPair, keyIdOf, type PublicKeyJwk, type Role } from '../protocol/index.js';

/**
 * This browser's signing key for one conversation. The private half is
 * non-extractable: it can sign here and be kept in IndexedDB (so a reload or
 * a navigation keeps it), but no script can read it out.
 */
export interface SigningIdentity {
  keyPair: CryptoKeyPair;
  publicKey: PublicKeyJwk;
  kid: string;
}

/** Where this browser keeps its signing keys, one per conversation and role. */
export interface SigningKeyStore {
  load(conversationId: string, role: Role): Promise<SigningIdentity | undefined>;
  keep(conversationId: string, role: Role, identity: SigningIdentity): Promise<void>;
  forget(conversationId: string, role: Role): Promise<void>;
}

export async function newSigningIdentity(): Promise<SigningIdentity> {
  const keyPair = await generateSigningKeyPair();
  const publicKey = await exportPublicKey(keyPair.publicKey);
  return { keyPair, publicKey, kid: await keyIdOf(publicKey) };
}

/** The key kept for this conversation and role, or a new one (then kept). */
export async function signingIdentityFor(conversationId: string, role: Role, store: SigningKeyStore = browserSigningKeys()): Promise<SigningIdentity> {
  const known = await store.load(conversationId, role);
  if (known) return known;
  const fresh = await newSigningIdentity();
  await store.keep(conversationId, role, fresh);
  return fresh;
}

const DB_NAME = 'vc-signing-keys';
const STORE = 'keys';
/** Keys of conversations that ended without telling us are dropped after this long (conversations live at most 12 h). */
const KEEP_MS = 24 * 60 * 60_000;

interface Row {
  scope: string;
  keyPair: CryptoKeyPair;
  createdAt: number;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

let db: Promise<IDBDatabase> | undefined;

function openDb(): Promise<IDBDatabase> {
  db ??= new Promise<IDBDatabase>((resolve, reject) => {
    const open = globalThis.indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'scope' });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error ?? new Error('IndexedDB unavailable'));
    open.onblocked = () => reject(new Error('IndexedDB blocked'));
  }).then(async (d) => {
    await prune(d).catch(() => {});
    return d;
  });
  db.catch(() => (db = undefined));
  return db;
}

async function prune(d: IDBDatabase): Promise<void> {
  const tx = d.transaction(STORE, 'readwrite');
  const rows = await request(tx.objectStore(STORE).getAll() as IDBRequest<Row[]>);
  const cutoff = Date.now() - KEEP_MS;
  for (const row of rows) if (row.createdAt < cutoff) tx.objectStore(STORE).delete(row.scope);
}

async function toIdentity(keyPair: CryptoKeyPair): Promise<SigningIdentity> {
  const publicKey = await exportPublicKey(keyPair.publicKey);
  return { keyPair, publicKey, kid: await keyIdOf(publicKey) };
}

/**
 * Keys in IndexedDB (CryptoKey objects are stored as they are, private half
 * still non-extractable). Where IndexedDB is missing or throws (some private
 * modes, sandboxed frames) the keys live in memory: a reload then registers a
 * new key with the broker.
 */
export function browserSigningKeys(): SigningKeyStore {
  return sharedStore;
}

const memory = new Map<string, SigningIdentity>();
const scopeOf = (conversationId: string, role: Role) => `${role}:${conversationId}`;

const sharedStore: SigningKeyStore = {
  async load(conversationId, role) {
    const scope = scopeOf(conversationId, role);
    const inMemory = memory.get(scope);
    if (inMemory) return inMemory;
    try {
      const d = await openDb();
      const row = await request(d.transaction(STORE).objectStore(STORE).get(scope) as IDBRequest<Row | undefined>);
      if (!row) return undefined;
      const identity = await toIdentity(row.keyPair);
      memory.set(scope, identity);
      return identity;
    } catch {
      return undefined;
    }
  },
  async keep(conversationId, role, identity) {
    const scope = scopeOf(conversationId, role);
    memory.set(scope, identity);
    try {
      const d = await openDb();
      const tx = d.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put({ scope, keyPair: identity.keyPair, createdAt: Date.now() } satisfies Row);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
      });
    } catch {
      // Kept in memory only: after a reload this browser registers another key.
    }
  },
  async forget(conversationId, role) {
    const scope = scopeOf(conversationId, role);
    memory.delete(scope);
    try {
      const d = await openDb();
      d.transaction(STORE, 'readwrite').objectStore(STORE).delete(scope);
    } catch {
      /* nothing kept */
    }
  },
};

/** Keys in memory only (tests, hosts that manage keys themselves). */
export function memorySigningKeys(): SigningKeyStore {
  const keys = new Map<string, SigningIdentity>();
  return {
    load: async (c, r) => keys.get(scopeOf(c, r)),
    keep: async (c, r, id) => void keys.set(scopeOf(c, r), id),
    forget: async (c, r) => void keys.delete(scopeOf(c, r)),
  };
}
