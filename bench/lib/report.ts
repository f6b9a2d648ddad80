/** What each figure hands to the report, and the report itself (BENCHMARKS.md). */

export interface SummaryRow {
  figure: string;
  ours: string;
  baseline: string;
  ratio: string;
  goal: string;
  /** null: the figure has no goal. */
  met: boolean | null;
}

export interface Figure {
  title: string;
  summary: SummaryRow[];
  /** Markdown: method, the table of runs, and a note on every missed goal. */
  body: string;
}

/** A markdown table. */
export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export const verdict = (met: boolean | null) => (met === null ? 'no goal' : met ? '**met**' : '**missed**');

export function renderReport(opts: { date: string; durationS: number; machine: [string, string][]; figures: Figure[]; preamble: string }): string {
  const summary = opts.figures.flatMap((f) => f.summary);
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${opts.date}, in one run of ${Math.round(opts.durationS / 60)} min. Do not edit by hand: run it again.`,
    '',
    opts.preamble,
    '',
    '## Machine',
    '',
    table(['', ''], opts.machine.map(([k, v]) => [k, v])),
    '',
    '## Summary',
    '',
    table(['figure', 'ours', 'baseline', 'ours / baseline', 'goal', 'goal met'], summary.map((r) => [r.figure, r.ours, r.baseline, r.ratio, r.goal, verdict(r.met)])),
    '',
    ...opts.figures.flatMap((f) => [`## ${f.title}`, '', f.body.trim(), '']),
  ].join('\n');
}
