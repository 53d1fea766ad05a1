/**
 * How a row of `token_changes` becomes a queued change and a row of `change_batches` a batch.
 * No SQL here: every statement on the two tables is in the changes queue's classes.
 */
import type { SpiriiToken } from '../token';
import { camelRow, jsonColumn } from '../db/columns';
import type { ChangeBatch, ChangeFields, ChangeProblem, ChangeSource, ChangeState, QueuedChange } from './types';

export interface ChangeRow {
  id: number;
  batch_id: number;
  spirii_id: number;
  uid: string | null;
  label: string | null;
  fields: string;
  based_on: string | null;
  base_token: string | null;
  state: ChangeState;
  remote_token: string | null;
  attempt_id: string | null;
  attempted_at: string | null;
  attempts: number;
  last_error: string | null;
  last_error_detail: string | null;
  result_updated_at: string | null;
  read_back_at: string | null;
  created_at: string;
  updated_at: string;
  synced_at: string | null;
}

export interface BatchRow {
  id: number;
  source: string;
  operator: string;
  fields: string;
  paused: number;
  created_at: string;
  cancelled_at: string | null;
}

// read_back_at is the worker's own bookkeeping, not part of a change.
const changeColumns = camelRow<ChangeRow>()(['fields', 'base_token', 'remote_token', 'last_error_detail', 'read_back_at']);
const batchColumns = camelRow<BatchRow>()(['source', 'fields', 'paused']);

export function fromRow(row: ChangeRow): QueuedChange {
  return Object.assign(changeColumns(row), {
    fields: jsonColumn<ChangeFields>(row.fields) ?? {},
    base: jsonColumn<SpiriiToken>(row.base_token),
    remote: jsonColumn<SpiriiToken>(row.remote_token),
    lastErrorDetail: row.last_error === null ? null : jsonColumn<ChangeProblem>(row.last_error_detail),
  });
}

export function batchFromRow(row: BatchRow): ChangeBatch {
  return Object.assign(batchColumns(row), {
    source: row.source as ChangeSource,
    fields: jsonColumn<ChangeFields>(row.fields) ?? {},
    paused: row.paused === 1,
  });
}
