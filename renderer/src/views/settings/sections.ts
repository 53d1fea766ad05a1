/**
 * The sections of the Settings screen, in order. Each feature owns its section component
 * (connection, reader, general preferences, ...) and adds it here.
 */
import type { Component } from 'svelte';
import GeneralSection from './GeneralSection.svelte';
import ReaderSettings from './ReaderSettings.svelte';
import ConnectionSettings from './ConnectionSettings.svelte';
import SyncSettings from './SyncSettings.svelte';

export interface SettingsSection {
  id: string;
  component: Component;
}

export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  { id: 'general', component: GeneralSection },
  { id: 'connection', component: ConnectionSettings },
  { id: 'reader', component: ReaderSettings },
  { id: 'sync', component: SyncSettings },
];
