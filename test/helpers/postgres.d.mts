export * from '../../scripts/postgres.mjs';
