/** Undo of the last tap (Ctrl+Z): which token it may take back, the one call that does it, and why not when it may not. */
import { defineMessages } from '../lib/i18n.svelte';
import { station } from '../lib/station';
import type { QueuedToken } from '../lib/types';
import { app } from './app.svelte';
import { queue } from './queue.svelte';
import type { TapOutcomes } from './tap-outcomes.svelte';

const t = defineMessages({
  en: {
    undone: 'Removed card {uid}: it will not be sent to Spirii.',
    undoneLabel: 'Removed card {uid}; label {label} will be used again.',
    undoInSpirii: 'Card {uid} is already in Spirii: it cannot be undone here. Deactivate it on the Tokens screen.',
    undoSending: 'Card {uid} is being sent to Spirii right now: it cannot be undone. If it arrives, deactivate it on the Tokens screen.',
    undoInDoubt: 'Card {uid} was sent and Spirii has not answered yet: it cannot be undone now. Once it shows as enrolled, deactivate it on the Tokens screen.',
    undoNothing: 'Nothing to undo: no card was enrolled since the last undo.',
  },
  da: {
    undone: 'Kort {uid} er fjernet: det sendes ikke til Spirii.',
    undoneLabel: 'Kort {uid} er fjernet; etiketten {label} bruges igen.',
    undoInSpirii: 'Kort {uid} er allerede i Spirii: det kan ikke fortrydes her. Deaktiver det på skærmen Tokens.',
    undoSending: 'Kort {uid} sendes til Spirii lige nu: det kan ikke fortrydes. Når det er nået frem, kan det deaktiveres på skærmen Tokens.',
    undoInDoubt: 'Kort {uid} er sendt, og Spirii har endnu ikke svaret: det kan ikke fortrydes nu. Når det står som tilmeldt, kan det deaktiveres på skærmen Tokens.',
    undoNothing: 'Intet at fortryde: intet kort er tilmeldt siden sidste fortrydelse.',
  },
});

export class TapUndo {
  /** What the last Ctrl+Z did, or why it did nothing, in words. */
  note = $state<string | null>(null);

  constructor(private readonly taps: TapOutcomes) {}

  /**
   * The last tap's token as it is now, whatever its state (null when the last tap queued nothing):
   * what Ctrl+Z talks about.
   */
  readonly lastQueued = $derived.by((): QueuedToken | null => {
    const outcome = this.taps.lastTap?.outcome;
    if (outcome?.status !== 'queued') return null;
    return queue.get(outcome.token.id) ?? outcome.token;
  });

  /** The last queued token of this session, while it can still be undone (only on this computer). */
  readonly undoable = $derived.by((): QueuedToken | null => {
    const outcome = this.taps.lastTap?.outcome;
    if (outcome?.status !== 'queued') return null;
    const current = queue.get(outcome.token.id);
    // Held (the hold period), waiting, or refused: all only on this computer, so all undoable.
    return current && ['held', 'pending', 'rejected'].includes(current.state) ? current : null;
  });

  /**
   * Undo the last tap while its token is only on this computer, in one call to the core (the
   * token is discarded and its label number given again together), run by `act` (busy while on
   * its way, a failure in words). When it cannot be undone, say why instead of doing nothing.
   */
  async undo(act: (run: () => Promise<void>) => Promise<boolean>): Promise<boolean> {
    const token = this.undoable;
    if (!token) {
      const last = this.lastQueued;
      const note =
        last?.state === 'synced'
          ? t('undoInSpirii', { uid: last.uid })
          : last?.state === 'sending'
            ? t('undoSending', { uid: last.uid })
            : last?.state === 'in_doubt'
              ? t('undoInDoubt', { uid: last.uid })
              : t('undoNothing');
      this.note = note;
      app.report(note, 'info');
      return false;
    }
    return act(async () => {
      const { removed, labelReused } = await station.call('session.undo', { id: token.id });
      queue.merge([removed]);
      this.taps.removed(removed);
      this.taps.lastTap = null;
      const note = labelReused ? t('undoneLabel', { uid: removed.uid, label: labelReused }) : t('undone', { uid: removed.uid });
      this.note = note;
      app.report(note, 'info');
      app.refreshStatusSoon();
    });
  }
}
