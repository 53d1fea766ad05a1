/** The Activity screen: the audit trail, filtered by action, exportable; and "copy diagnostics". */
import { describeError, station } from '../lib/station';
import type { CallOutput } from '../lib/types';

export type AuditEntry = CallOutput<'audit.list'>[number];
export type AuditAction = AuditEntry['action'];

class ActivityState {
  entries = $state.raw<AuditEntry[]>([]);
  filter = $state<AuditAction | 'all'>('all');
  loading = $state(false);
  error = $state<string | null>(null);
  /** What "copy diagnostics" copied (shown so the desk sees there is no secret in it). */
  diagnostics = $state<{ text: string; copied: boolean } | null>(null);
  exported = $state<{ filename: string; count: number } | null>(null);

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.entries = await station.call('audit.list', { limit: 1000, actions: this.filter === 'all' ? undefined : [this.filter] });
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.loading = false;
    }
  }

  /** Reload when something new is recorded (a tap, a connection change). */
  listen(): () => void {
    const offs = [station.on('tap', () => void this.load()), station.on('connection', () => void this.load())];
    return () => offs.forEach((off) => off());
  }

  async export(format: 'csv' | 'json'): Promise<void> {
    try {
      const file = await station.call('audit.export', { format, actions: this.filter === 'all' ? undefined : [this.filter] });
      const blob = new Blob([file.content], { type: format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.exported = { filename: file.filename, count: file.count };
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  async copyDiagnostics(): Promise<void> {
    try {
      this.diagnostics = await station.call('diagnostics.copy', {});
    } catch (error) {
      this.error = describeError(error);
    }
  }
}

export const activity = new ActivityState();
