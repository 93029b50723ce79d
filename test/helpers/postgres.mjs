// The tests' throwaway PostgreSQL server: scripts/postgres.mjs (npm run start:cluster uses the same).
export * from '../../scripts/postgres.mjs';
