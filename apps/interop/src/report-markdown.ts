import { explain } from './explanations';
import type { Matrix } from './matrix';
import { countByEngineAndGroup, failures, groupsOf } from './summary';

const cell = (c: { pass: number; fail: number; 'cannot-express': number } | undefined) =>
  c ? `${c.pass} / ${c.fail} / ${c['cannot-express']}` : '–';

const oneLine = (s: string, max = 220) => {
  const t = s.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/**
 * `matrix.md`: the engines, pass / fail / cannot-express per engine and case group, every failing
 * case with its max error or message and why, then what each peer cannot express.
 * @param sources - each case's `source`, for failures no known issue explains
 */
export function markdownReport(m: Matrix, sources: ReadonlyMap<string, string>): string {
  const counts = countByEngineAndGroup(m);
  const groups = groupsOf(m);
  const lines: string[] = [];
  lines.push('# How the engines compare: the conformance kit on every engine', '');
  lines.push(
    `Generated ${m.generated} on ${m.machine.cpu} (${m.machine.cores} cores), Node ${m.machine.node}, ${m.machine.platform}, by \`npm run interop\`.`,
    '',
  );
  lines.push(
    "Every case of `@tconv/conformance` run on each engine. **pass**: within the case's tolerance; **fail**: a wrong value, shape or type, or an error on valid input; **cannot express**: the engine has no way to say the call (no groups, no 1D, no float64, …), reported by its adapter in `@tconv/peers` with `UnsupportedError` before the engine runs. tconv's own backends are the control rows.",
    '',
  );
  lines.push('| engine | version | runtime | pass | fail | cannot express |', '|---|---|---|---|---|---|');
  for (const e of m.engines) {
    const t = counts.get(e.name)?.get('');
    lines.push(
      `| ${e.name}${e.control ? ' (control)' : ''} | ${e.version} | ${e.runtime} | ${t?.pass ?? 0} | ${t?.fail ?? 0} | ${t?.['cannot-express'] ?? 0} |`,
    );
  }
  lines.push('', '## By case group (pass / fail / cannot express)', '');
  lines.push(`| engine | ${groups.join(' | ')} |`, `|---|${groups.map(() => '---').join('|')}|`);
  for (const e of m.engines) {
    lines.push(`| ${e.name} | ${groups.map((g) => cell(counts.get(e.name)?.get(g))).join(' | ')} |`);
  }
  lines.push(
    '',
    "The `errors` group checks that invalid options are rejected with a message naming the parameter. A peer is wrapped with core's validation (its adapter calls `prepareConvTranspose` before translating), so for peers that group checks the wrapper, not the engine's own validation.",
    '',
    "The `gradients` group needs `convTransposeBackward` / `convBackward`. The peers wrap inference only (onnxruntime's inference sessions have no gradients; tfjs could compute them with `tf.grad`, but its adapter does not wrap that), so for peers those cases count as cannot express.",
  );
  const failing = failures(m);
  lines.push('', `## Every failing case (${failing.length})`, '');
  if (failing.length === 0) lines.push('None.');
  else {
    lines.push('| engine | case | group | max error / message | why |', '|---|---|---|---|---|');
    for (const r of failing) {
      const what =
        r.maxError !== undefined
          ? `max error ${r.maxError.toExponential(2)}: ${r.message ?? ''}`
          : (r.message ?? '');
      lines.push(
        `| ${r.engine} | \`${r.case}\` | ${r.group} | ${oneLine(what)} | ${oneLine(explain(r, sources.get(r.case) ?? 'the kit'), 400)} |`,
      );
    }
  }
  lines.push('', '## What each engine cannot express', '');
  for (const e of m.engines) {
    const reasons = new Map<string, number>();
    for (const r of m.results)
      if (r.engine === e.name && r.status === 'cannot-express') {
        // one reason per kind: strip the engine prefix and the numbers
        const key = (r.message ?? '')
          .replace(/^(UnsupportedError: |skipped: )/, '')
          .replace(/^\S+ cannot express this: /, '')
          .replace(/ \(groups \d+\)/, '')
          .trim();
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
    if (reasons.size === 0) continue;
    lines.push(`- **${e.name}**: ${[...reasons].map(([k, n]) => `${oneLine(k, 160)} (${n})`).join('; ')}`);
  }
  lines.push('');
  return lines.join('\n');
}
