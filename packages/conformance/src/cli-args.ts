/**
 * The command line of `tconv-conformance`, parsed strictly: an unknown flag, a flag without its
 * value or a second module is a usage error (exit code 2 with the usage line), never ignored.
 */

/** The one-line synopsis, printed with every usage error. */
export const USAGE =
  'usage: tconv-conformance <module> [--export <name>] [--filter <text>] [--timeout <ms>] [--json]';

/** The `--help` text. */
export const HELP = `${USAGE}

Runs the tconv conformance kit against a backend module and exits non-zero if any case fails.

  <module>          a path (./my-backend.js, resolved from the current directory) or a package
                    name (resolved from the current directory's node_modules) that exports a Backend
  --export <name>   the export to use: a Backend, or a function (like createWasmBackend) that
                    returns one or a Promise of one; default: the first export that is either, in
                    the module's source order (the choice is printed)
  --filter <text>   run only the cases whose id, title, source or tags contain <text>
                    (case-insensitive); an error when no case matches
  --timeout <ms>    the longest one case may take before it fails as timed out; default 30000
  --json            print the report as JSON on stdout, without progress
  -h, --help        this text

Progress (a case counter) goes to stderr when stderr is a terminal and --json is not given.
Exit codes: 0 every case that ran passed; 1 a case failed, or no case ran (all skipped as outside
the backend's declared capabilities); 2 a usage error, a filter matching no case, or a module that
cannot be loaded or exports no Backend.
`;

/** What the command line asks for. */
export interface CliOptions {
  readonly module: string;
  readonly exportName?: string;
  readonly filter?: string;
  readonly timeoutMs?: number;
  readonly json: boolean;
}

/** The parse result: options, a request for help, or a usage error with its reason. */
export type ParsedArgs =
  | { readonly kind: 'run'; readonly options: CliOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage'; readonly message: string };

const VALUE_FLAGS = new Set(['--export', '--filter', '--timeout']);

/** Parses `argv` (without the node and script paths). `--flag=value` is accepted too. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  const positionals: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--json') {
      json = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_FLAGS.has(flag)) return { kind: 'usage', message: `unknown option ${arg}` };
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      }
    }
    if (value === undefined || value === '') return { kind: 'usage', message: `${flag} needs a value` };
    if (values.has(flag)) return { kind: 'usage', message: `${flag} given twice` };
    values.set(flag, value);
  }
  if (positionals.length === 0) return { kind: 'usage', message: 'no backend module given' };
  if (positionals.length > 1)
    return {
      kind: 'usage',
      message: `one module expected, but got ${positionals.length}: ${positionals.join(' ')}`,
    };
  let timeoutMs: number | undefined;
  const timeout = values.get('--timeout');
  if (timeout !== undefined) {
    timeoutMs = Number(timeout);
    if (!/^\d+(\.\d+)?$/.test(timeout) || !(timeoutMs > 0))
      return {
        kind: 'usage',
        message: `--timeout must be a positive number of milliseconds, but got ${timeout}`,
      };
  }
  const exportName = values.get('--export');
  const filter = values.get('--filter');
  return {
    kind: 'run',
    options: {
      module: positionals[0] as string,
      json,
      ...(exportName === undefined ? {} : { exportName }),
      ...(filter === undefined ? {} : { filter }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    },
  };
}
