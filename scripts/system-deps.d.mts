export function findChromium(): string | null;
export function ensureSystemDeps(opts?: { quiet?: boolean }): void;
