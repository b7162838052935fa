import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BackendName } from './backends';
import { BACKEND_DESCRIPTIONS, BACKEND_NAMES, DEFAULT_BACKENDS, WRONG_BACKEND_ENV } from './backends';

/** The demo's settings, after parsing the command line and the environment. */
export interface DemoOptions {
  readonly help: boolean;
  readonly json: boolean;
  /** Absolute folder for the pictures, or `null` with `--no-pictures`. */
  readonly out: string | null;
  readonly backends: readonly BackendName[];
  /** Only the conformance cases whose id, source or a tag contains this text (case-insensitive). */
  readonly filter: string | null;
  readonly color: boolean | undefined;
}

/** The default picture folder, relative to the current directory. */
export const DEFAULT_OUT = 'tconv-pictures';

/** A command-line mistake: the CLI prints it with a pointer to `--help` and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The `--help` text: every flag, the environment variable, the exit codes. */
export const HELP = `tconv-demo: cross-checks every tconv backend against the documents' examples

Usage: node apps/demo/dist/cli.js [options]        (from the repository root: npm run demo)

Runs every case of @tconv/conformance on every backend and prints a table (rows: cases grouped by
source document; columns: backends; cells: pass/FAIL/skip with the largest error the kit reports,
'-' when it reports none). Prints the documents' worked examples side by side for every backend,
d2l's 4×9 matrix W with the check Wᵀ·y = transposed convolution, and the shape walkthrough of the
documents' size examples; writes the pictures as PNG files.

Options:
  -o, --out <dir>          folder for the PNG pictures (created if needed; default ./${DEFAULT_OUT})
      --no-pictures        do not write any picture
      --json               print the full cross-check as JSON on stdout (progress still goes to stderr)
  -b, --backend <names>    comma-separated backends to run, in column order (default ${DEFAULT_BACKENDS.join(',')});
                           may be repeated. Known: ${BACKEND_NAMES.join(', ')}
      --with-wrong-backend add the deliberately wrong backend 'wrong' (same as ${WRONG_BACKEND_ENV}=1)
      --filter <text>      only the conformance cases whose id, source or a tag contains <text>
      --no-color           no colours (they are only used when stdout is a terminal and NO_COLOR is unset)
  -h, --help               show this help and exit

Backends:
${BACKEND_NAMES.map((n) => `  ${n.padEnd(8)} ${BACKEND_DESCRIPTIONS[n]}`).join('\n')}

Environment:
  ${WRONG_BACKEND_ENV}=1   adds the 'wrong' backend, as --with-wrong-backend does: a hook to see the
                             cross-check catch a broken implementation (its column fails, exit code 1)
  NO_COLOR                   disables colours

Pictures (in --out):
  aim-input.png            the 4×4 RGB input (AIM article style), 256×256, each pixel 64×64
  aim-k3-s4-op1.png        k3 s4 output padding 1: 16×16, black stripes on rows/columns 3, 7, 11, 15; 256×256
  aim-k4-s4.png            k4 s4: 16×16 filled, every pixel its input pixel's colour; 256×256
  d2l-stride2-document.png d2l 13.10.2 stride-2 result as printed (4×4 grey, 0 black, largest white); 256×256
  d2l-stride2-<backend>.png the same computed by each backend; 256×256
  training-kernel-learned.png  the 4×4 kernel a transposed convolution learned (grey = value / largest); 256×256
  training-kernel-bilinear.png the bilinear kernel (FCN's initialisation) it converges to; 256×256
  training-test-input.png      a held-out 16×16 image; 256×256
  training-test-output.png     the learned layer's 2× output of it (32×32); 256×256

Exit codes: 0 every backend passed every case and every example; 1 a backend failed a case or an
example (or could not draw its picture); 2 a command-line mistake.
`;

/**
 * Parses the command line and the environment.
 * @param argv - the arguments after the script name
 * @param env - the environment (for {@link WRONG_BACKEND_ENV})
 * @param cwd - where a relative `--out` starts
 * @throws {@link UsageError} for an unknown flag, a missing value or an unknown backend
 */
export function parseCliArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  cwd: string,
): DemoOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const names: BackendName[] = [];
  const requested = values.backend?.flatMap((v) => v.split(',')).map((v) => v.trim()) ?? [];
  for (const name of requested.length > 0 ? requested : DEFAULT_BACKENDS) {
    if (name === '') continue;
    if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `unknown backend ${JSON.stringify(name)}; the backends are ${BACKEND_NAMES.join(', ')}`,
      );
    }
    if (!names.includes(name as BackendName)) names.push(name as BackendName);
  }
  const wrongFromEnv =
    env[WRONG_BACKEND_ENV] !== undefined && env[WRONG_BACKEND_ENV] !== '' && env[WRONG_BACKEND_ENV] !== '0';
  if ((values['with-wrong-backend'] || wrongFromEnv) && !names.includes('wrong')) names.push('wrong');
  if (names.length === 0) throw new UsageError('--backend selected no backend');
  if (values.out !== undefined && values['no-pictures']) {
    throw new UsageError('--out and --no-pictures contradict each other; give one of them');
  }
  if (values.filter !== undefined && values.filter.trim() === '') {
    throw new UsageError('--filter needs a non-empty text');
  }
  return {
    help: values.help ?? false,
    json: values.json ?? false,
    out: values['no-pictures'] ? null : resolve(cwd, values.out ?? DEFAULT_OUT),
    backends: names,
    filter: values.filter?.trim().toLowerCase() ?? null,
    color: values['no-color'] ? false : undefined,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      out: { type: 'string', short: 'o' },
      'no-pictures': { type: 'boolean' },
      json: { type: 'boolean' },
      backend: { type: 'string', short: 'b', multiple: true },
      'with-wrong-backend': { type: 'boolean' },
      filter: { type: 'string' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
