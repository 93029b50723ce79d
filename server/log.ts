export type LogLevel = 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string) => void;

/** Library default: stay quiet unless something needs an operator's attention. */
export const warningsToStderr: Logger = (level, message) => {
  if (level !== 'info') console.error(`[broker] ${level}: ${message}`);
};

export const everythingToConsole: Logger = (level, message) => {
  const line = `${new Date().toISOString()} [broker] ${level}: ${message}`;
  if (level === 'info') console.log(line);
  else console.error(line);
};
