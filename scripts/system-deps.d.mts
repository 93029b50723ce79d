export function findChromium(): string | null;
export function ensureSystemDeps(opts?: { quiet?: boolean; purpose?: 'start' | 'test' | 'bench' }): void;
export function findFirefox(): string | null;
