/**
 * Settings → Connection: the profiles, the key being entered (kept here only until it is saved,
 * then dropped: the core answers with a mask), the last "test connection" and the choice the core
 * asks for when the OS has no keychain.
 */
import { describeError, station } from '../lib/station';
import type { CallOutput } from '../lib/types';
import { app } from './app.svelte';

export type ConnectionsView = CallOutput<'connections.list'>;
export type ProfileView = ConnectionsView['profiles'][number];
export type ProfileId = ProfileView['id'];
export type ConnectionCheck = CallOutput<'connections.test'>;
type NeedsChoice = Extract<CallOutput<'connections.save'>, { status: 'needs-choice' }>;

export type Busy = null | 'load' | 'url' | 'test' | 'save' | 'select' | 'forget';

class ConnectionsState {
  view = $state.raw<ConnectionsView | null>(null);
  /** The profile shown in the form (not necessarily the one in use). */
  editing = $state<ProfileId>('builtin-sandbox');
  keyDraft = $state('');
  urlDraft = $state('');
  /** Showing the key field for a profile that already has a key. */
  replacing = $state(false);
  check = $state.raw<ConnectionCheck | null>(null);
  choice = $state.raw<NeedsChoice | null>(null);
  busy = $state<Busy>(null);
  error = $state<string | null>(null);
  saved = $state<string | null>(null);

  readonly profile = $derived(this.view?.profiles.find((p) => p.id === this.editing) ?? null);
  readonly needsKeyField = $derived(
    !!this.profile && this.profile.needsKey && (this.replacing || this.profile.key.state === 'none' || this.profile.key.state === 'unreadable'),
  );

  async load(): Promise<void> {
    await this.run('load', async () => {
      this.view = await station.call('connections.list', {});
      this.editing = this.view.active;
      this.urlDraft = this.view.profiles.find((p) => p.id === 'custom')?.url ?? '';
    });
  }

  edit(id: ProfileId): void {
    this.editing = id;
    this.resetForm();
  }

  async saveUrl(): Promise<void> {
    await this.run('url', async () => {
      this.view = await station.call('connections.setUrl', { url: this.urlDraft });
      this.saved = 'url';
    });
  }

  async test(): Promise<void> {
    this.check = null;
    await this.run('test', async () => {
      const key = this.keyDraft.trim() || undefined;
      const url = this.editing === 'custom' && this.urlDraft.trim() ? this.urlDraft.trim() : undefined;
      this.check = await station.call('connections.test', { id: this.editing, key, url });
    });
  }

  async save(choice?: 'store-weak' | 'session-only'): Promise<void> {
    await this.run('save', async () => {
      const result = await station.call('connections.save', { id: this.editing, key: this.keyDraft.trim(), choice });
      if (result.status === 'needs-choice') {
        this.choice = result;
        return;
      }
      // The key leaves the window here: from now on only its mask is shown.
      this.keyDraft = '';
      this.replacing = false;
      this.choice = null;
      this.saved = 'key';
      this.view = await station.call('connections.list', {});
    });
  }

  async forget(): Promise<void> {
    await this.run('forget', async () => {
      this.view = await station.call('connections.forget', { id: this.editing });
      this.check = null;
    });
  }

  async use(): Promise<void> {
    await this.run('select', async () => {
      this.view = await station.call('connections.select', { id: this.editing });
      this.saved = 'select';
      await app.refreshInfo();
    });
  }

  resetForm(): void {
    this.keyDraft = '';
    this.replacing = false;
    this.check = null;
    this.choice = null;
    this.error = null;
    this.saved = null;
  }

  private async run(what: Busy, work: () => Promise<void>): Promise<void> {
    this.busy = what;
    this.error = null;
    this.saved = null;
    try {
      await work();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = null;
    }
  }
}

export const connections = new ConnectionsState();
