export interface RunningPostgres {
  /** postgres://vc@127.0.0.1:<port>/vc */
  url: string;
  port: number;
  /** A new empty database on the same server; returns its URL. */
  createDatabase(name: string): string;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

export function postgresBinDir(): string;
export function startPostgres(): Promise<RunningPostgres>;
