/**
 * The app's screens, in the order of the navigation bar. Each screen is one entry: its id (the
 * URL hash `#/<id>`, so a test or a shortcut can open it directly), its name, and its component.
 * Alt+1..9 opens the screen at that position.
 */
import type { Component } from 'svelte';
import { defineMessages } from '../lib/i18n.svelte';
import EnrollView from './EnrollView.svelte';
import FilesView from './FilesView.svelte';

const t = defineMessages({
  en: { enroll: 'Enroll', files: 'Import/Export' },
  da: { enroll: 'Tilmeld', files: 'Import/eksport' },
});

export interface ViewEntry {
  id: string;
  label: () => string;
  component: Component;
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'enroll', label: () => t('enroll'), component: EnrollView },
  { id: 'files', label: () => t('files'), component: FilesView },
];
