/**
 * What an import's preview tells the desk besides its rows: the problems grouped (real problems
 * first), the counts by outcome, and the one line the window and the CLI both print.
 */
import { STATE_WORDS, type QueueState } from '../queue';
import { describeProblem, type ImportPlan, type Problem, type ProblemDetail } from './import-plan';

/** Rows a problem group names (the group counts them all). */
const GROUP_ROWS = 50;

/**
 * Problems of one kind (and one customer, state or field) together: the window lists these, real
 * problems first, so that 8 rows to fix are not lost among 492 "already synced".
 */
export interface ProblemGroup {
  key: string;
  severity: Problem['severity'];
  count: number;
  /** The first rows of the group (GROUP_ROWS at most). */
  rows: number[];
  column: string | null;
  /** In English, for the CLI: "Rows 4, 9 (2): ...". */
  message: string;
  /** The first problem's detail, for a window to word it. */
  detail?: ProblemDetail;
}

export interface ImportSummary {
  rows: number;
  ready: number;
  invalid: number;
  duplicateInFile: number;
  duplicateInQueue: number;
  duplicateInSpirii: number;
  warnings: number;
  /** Ready rows that replace a token Spirii rejected before. */
  replacing: number;
}

function groupKey(problem: Problem): string {
  const d = problem.detail;
  if (!d) return `${problem.severity}:${problem.message}`;
  switch (d.key) {
    case 'in-queue':
      return `in-queue:${d.params.state}`;
    case 'unknown-customer':
      return `unknown-customer:${d.params.customerId}`;
    case 'uid':
      return `uid:${JSON.stringify(d.params.problem).replace(/"(uid|text|value)":"[^"]*"/g, '')}`;
    case 'too-long':
    case 'not-boolean':
    case 'not-date':
      return `${d.key}:${d.params.field}`;
    default:
      return d.key;
  }
}

const SEVERITY_ORDER: Record<Problem['severity'], number> = { error: 0, warning: 1, duplicate: 2 };

export function groupProblems(problems: readonly Problem[]): ProblemGroup[] {
  const groups = new Map<string, ProblemGroup & { first: Problem }>();
  for (const problem of problems) {
    const key = groupKey(problem);
    let group = groups.get(key);
    if (!group) {
      group = { key, severity: problem.severity, count: 0, rows: [], column: problem.column, message: '', first: problem, ...(problem.detail ? { detail: problem.detail } : {}) };
      groups.set(key, group);
    }
    group.count++;
    if (problem.row !== null && group.rows.length < GROUP_ROWS) group.rows.push(problem.row);
  }
  return [...groups.values()]
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.count - a.count)
    .map(({ first, ...group }) => ({ ...group, message: groupMessage(group, first) }));
}

function groupMessage(group: ProblemGroup, first: Problem): string {
  if (group.count === 1) return describeProblem(first);
  const d = group.detail;
  if (d?.key === 'in-queue') return `${group.count} cards are already in the queue (${STATE_WORDS[d.params.state as QueueState] ?? d.params.state}): not queued again`;
  if (d?.key === 'in-spirii') return `${group.count} cards are already in Spirii: not queued`;
  if (d?.key === 'repeats') return `${group.count} rows repeat an earlier row exactly: each card is queued once`;
  if (d?.key === 'label-used') return `${group.count} cards have a label that is already on another card: not queued`;
  const rows = group.rows.join(', ') + (group.count > group.rows.length ? ', ...' : '');
  return `Rows ${rows} (${group.count})${group.column ? `, column ${group.column}` : ''}: ${first.message}`;
}

export function summarize(plan: ImportPlan): ImportSummary {
  const s: ImportSummary = { rows: plan.rows.length, ready: 0, invalid: 0, duplicateInFile: 0, duplicateInQueue: 0, duplicateInSpirii: 0, warnings: 0, replacing: 0 };
  for (const row of plan.rows) {
    if (row.status === 'ready' && row.replaces !== undefined) s.replacing++;
    if (row.status === 'ready') s.ready++;
    else if (row.status === 'invalid') s.invalid++;
    else if (row.duplicate === 'file') s.duplicateInFile++;
    else if (row.duplicate === 'queue') s.duplicateInQueue++;
    else if (row.duplicate === 'spirii') s.duplicateInSpirii++;
  }
  s.warnings = plan.problems.filter((p) => p.severity === 'warning').length;
  return s;
}

/** One line for the desk: what the import will do. The window and the CLI say the same. */
export function describeSummary(s: ImportSummary): string {
  const notQueued = [
    s.invalid ? `${s.invalid} with problems` : null,
    s.duplicateInFile ? `${s.duplicateInFile} repeated in the file` : null,
    s.duplicateInQueue ? `${s.duplicateInQueue} already in the queue` : null,
    s.duplicateInSpirii ? `${s.duplicateInSpirii} already in Spirii` : null,
  ].filter(Boolean);
  const replacing = s.replacing ? ` (${s.replacing} of them replacing a token Spirii rejected)` : '';
  return `${s.rows} rows: ${s.ready} to queue${replacing}${notQueued.length ? `; not queued: ${notQueued.join(', ')}` : ''}.`;
}
