import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

type Write = (...args: unknown[]) => void;

/**
 * A request's logger (`request.log`) that makes its pino child, with the request id bound, only when a line
 * is written. Fastify otherwise builds one child per request, and the request log writes with the root logger
 * (src/server/request-log.ts): most requests write nothing through `request.log`, and the child is then a
 * cost for nothing (a microsecond of a /predict request's CPU).
 */
class DeferredChildLogger implements FastifyBaseLogger {
  private made: Logger | undefined;

  constructor(private readonly parent: Logger, private readonly bindings: Bindings) {}

  private get logger(): Logger {
    this.made ??= this.parent.child(this.bindings);
    return this.made;
  }

  private write(level: Level, args: unknown[]): void {
    if (!(this.made ?? this.parent).isLevelEnabled(level)) return;
    (this.logger[level] as Write).apply(this.logger, args);
  }

  get level(): string {
    return (this.made ?? this.parent).level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  fatal(...args: unknown[]): void { this.write('fatal', args); }
  error(...args: unknown[]): void { this.write('error', args); }
  warn(...args: unknown[]): void { this.write('warn', args); }
  info(...args: unknown[]): void { this.write('info', args); }
  debug(...args: unknown[]): void { this.write('debug', args); }
  trace(...args: unknown[]): void { this.write('trace', args); }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}

/**
 * Fastify's `childLoggerFactory`: a deferred child per request. A route with options of its own (a log level,
 * serializers) gets a real child at once, as Fastify would make it.
 */
export function deferredChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  for (const _ in options) return logger.child(bindings, options);
  return new DeferredChildLogger(logger as Logger, bindings);
}
