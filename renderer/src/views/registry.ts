/**
 * The app's screens, in the order of the navigation bar. Each screen is one entry: its id (the
 * URL hash `#/<id>`, so a test or a shortcut can open it directly), its name, and its component.
 * Alt+1..9 opens the screen at that position.
 */
import type { Component } from 'svelte';
import { defineMessages } from '../lib/i18n.svelte';
import EnrollView from './EnrollView.svelte';
import ActivityView from './ActivityView.svelte';
import SettingsView from './SettingsView.svelte';

const t = defineMessages({
  en: { enroll: 'Enroll', activity: 'Activity', settings: 'Settings' },
  da: { enroll: 'Tilmeld', activity: 'Aktivitet', settings: 'Indstillinger' },
});

export interface ViewEntry {
  id: string;
  label: () => string;
  component: Component;
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'enroll', label: () => t('enroll'), component: EnrollView },
  { id: 'activity', label: () => t('activity'), component: ActivityView },
  { id: 'settings', label: () => t('settings'), component: SettingsView },
];
