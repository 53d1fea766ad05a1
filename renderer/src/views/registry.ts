/**
 * The app's screens, in the order of the navigation bar. Each screen is one entry: its id (the
 * URL hash `#/<id>`, so a test or a shortcut can open it directly), its name, and its component.
 * Alt+1..9 opens the screen at that position.
 */
import type { Component } from 'svelte';
import { defineMessages } from '../lib/i18n.svelte';
import EnrollView from './EnrollView.svelte';
import QueueView from './QueueView.svelte';

const t = defineMessages({
  en: { enroll: 'Enroll', queue: 'Queue' },
  da: { enroll: 'Tilmeld', queue: 'Kø' },
});

export interface ViewEntry {
  id: string;
  label: () => string;
  component: Component;
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'enroll', label: () => t('enroll'), component: EnrollView },
  { id: 'queue', label: () => t('queue'), component: QueueView },
];
