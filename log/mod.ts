/**
 * Structured logging: one line per event, `level=… msg=… key=value`, written
 * to stderr. Library code takes a {@linkcode Logger}; only `cli/` creates one.
 *
 * @module
 */

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = {
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
};

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** A structured logger. */
export interface Logger {
  /** Logs at debug level: detail for developers, off by default. */
  debug(msg: string, fields?: LogFields): void;
  /** Logs at info level: what the program did. */
  info(msg: string, fields?: LogFields): void;
  /** Logs at warn level: something is wrong but work goes on. */
  warn(msg: string, fields?: LogFields): void;
  /** Logs at error level: something failed. */
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  with(fields: LogFields): Logger;
}

function formatValue(v: unknown): string {
  if (v instanceof Error) v = v.message;
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(s ?? "") ? s : JSON.stringify(s);
}

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Lines below this level are dropped. Default `info`. */
  level?: LogLevel;
  /** Where lines go. Default: stderr. */
  write?: (line: string) => void;
}

/** Creates a logger writing `time=… level=… msg=… k=v` lines. */
export function createLogger(
  opts: LoggerOptions = {},
  base: LogFields = {},
): Logger {
  const min = ORDER[opts.level ?? "info"];
  const encoder = new TextEncoder();
  const write = opts.write ??
    ((line: string) => Deno.stderr.writeSync(encoder.encode(line + "\n")));
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const all = { ...base, ...fields };
    let line = `time=${new Date().toISOString()} level=${level} msg=${
      formatValue(msg)
    }`;
    for (const [k, v] of Object.entries(all)) line += ` ${k}=${formatValue(v)}`;
    write(line);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    with: (f) => createLogger(opts, { ...base, ...f }),
  };
}

/** A logger that drops everything (for tests and embedding). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  with() {
    return silentLogger;
  },
};
