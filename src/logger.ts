import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

const REDACTED = '[redacted]';

/** Key names whose values are always secrets, wherever they sit in a logged object. */
const SECRET_KEY = /^(authorization|proxy-authorization|x-slack-signature|api[-_]?key|apikey|key|password|secret|token|access[-_]?token|bot[-_]?token|app[-_]?token|client[-_]?secret|signing[-_]?secret|app[-_]?password|cookie|set-cookie)$/i;

/** Secret-shaped text (Slack tokens, Basic/Bearer credentials, Mailchimp keys, signed-link signatures) and what replaces it. */
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, REDACTED],
  [/\bxapp-[A-Za-z0-9-]+/g, REDACTED],
  [/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\b[0-9a-f]{32}-[a-z]{2}\d{1,2}\b/g, REDACTED],
  [/([?&](?:sig|key|token|apikey|api_key)=)[^&\s"']+/gi, `$1${REDACTED}`],
];

function scrubText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** A deep copy of `value` with every secret replaced by "[redacted]". Handles Errors and cycles. */
export function redact(value: unknown, secrets: readonly string[] = [], seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    return {
      type: value.name,
      message: scrubText(value.message, secrets),
      stack: value.stack ? scrubText(value.stack, secrets) : undefined,
      ...(redact({ ...value }, secrets, seen) as object),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets, seen));
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    result[key] = SECRET_KEY.test(key) && inner !== undefined && inner !== null && inner !== '' ? REDACTED : redact(inner, secrets, seen);
  }
  return result;
}

export interface LoggerOptions {
  level?: string;
  /** Literal secret values (from the config) to remove wherever they appear. */
  secrets?: readonly string[];
  /** Where lines go (default: stdout as JSON); `prettyDestination()` for a person watching a terminal. */
  destination?: DestinationStream;
}

/** Human-readable lines on stdout instead of JSON; pino-pretty is loaded only by a process that wants them (the bot on a terminal). */
export async function prettyDestination(): Promise<DestinationStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({ colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,app', sync: true });
}

/** A structured JSON logger that redacts secrets in messages, fields and errors. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = [...(options.secrets ?? [])].sort((a, b) => b.length - a.length);
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'integoreport' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => redact(object, secrets) as Record<string, unknown> },
      serializers: { err: (error: unknown) => redact(error, secrets) },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg) => (typeof arg === 'string' ? scrubText(arg, secrets) : arg));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
