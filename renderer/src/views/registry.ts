/**
 * The app's screens, in the order of the navigation bar. Each screen is one entry: its id (the
 * URL hash `#/<id>`, so a test or a shortcut can open it directly), its name, and its component.
 * Alt+1..9 opens the screen at that position.
 */
import type { Component } from 'svelte';
import { defineMessages } from '../lib/i18n.svelte';
import EnrollView from './EnrollView.svelte';
import QueueView from './QueueView.svelte';
import SummaryView from './SummaryView.svelte';
import TokensView from './TokensView.svelte';
import FilesView from './FilesView.svelte';
import SettingsView from './SettingsView.svelte';
import ReadersView from './ReadersView.svelte';
import { t as readersText } from '../lib/readers.messages';
import ActivityView from './ActivityView.svelte';
import CardsView from './CardsView.svelte';
import { t as cardsText } from './cards/cards.messages';

const t = defineMessages({
  en: { enroll: 'Enroll', queue: 'Queue', summary: 'Session', tokens: 'Tokens', files: 'Import/Export', settings: 'Settings', activity: 'Activity' },
  da: { enroll: 'Tilmeld', queue: 'Kø', summary: 'Session', tokens: 'Tokens', files: 'Import/eksport', settings: 'Indstillinger', activity: 'Aktivitet' },
});

export interface ViewEntry {
  id: string;
  label: () => string;
  component: Component;
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'enroll', label: () => t('enroll'), component: EnrollView },
  { id: 'queue', label: () => t('queue'), component: QueueView },
  { id: 'summary', label: () => t('summary'), component: SummaryView },
  { id: 'tokens', label: () => t('tokens'), component: TokensView },
  { id: 'files', label: () => t('files'), component: FilesView },
  { id: 'readers', label: () => readersText('title'), component: ReadersView },
  { id: 'activity', label: () => t('activity'), component: ActivityView },
  { id: 'settings', label: () => t('settings'), component: SettingsView },
  { id: 'cards', label: () => cardsText('title'), component: CardsView },
];
