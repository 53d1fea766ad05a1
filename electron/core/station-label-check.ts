/**
 * The label typed or scanned for the card waiting for one ('typed' label mode), checked with
 * Spirii before the card is queued: Spirii can never change a token's label afterwards.
 */
import type { Enrollment, TapOutcome } from './enrollment';
import type { TokenQueue } from './queue';
import type { SpiriiClient } from './api/client';
import type { SpiriiToken } from './token';

/** How long the desk waits for Spirii's answer before it queues on the local check alone. */
const LOOKUP_MS = 2000;

export interface LabelCheckParts {
  enrollment: Pick<Enrollment, 'view' | 'giveLabel'>;
  queue: Pick<TokenQueue, 'findByLabel'>;
  client: Pick<SpiriiClient, 'listTokens'>;
  /** A refusal made before enrollment saw the label: told like any other tap's outcome. */
  refused: (outcome: TapOutcome) => void;
}

export class LabelCheck {
  constructor(private readonly parts: LabelCheckParts) {}

  /**
   * Give the waiting card its label, after asking Spirii whether another token already has it.
   * Unreachable or slow: the local check alone, and the card is queued.
   */
  async give(label: string | null): Promise<TapOutcome> {
    const { enrollment, queue } = this.parts;
    const text = label?.trim() || null;
    const waiting = enrollment.view.awaitingLabel;
    if (text !== null && waiting !== null && !queue.findByLabel(text)) {
      const found = await this.inSpirii(text);
      if (found && found.identifier.uid?.toUpperCase() !== waiting.uid) {
        const uid = found.identifier.uid ?? '';
        const outcome: TapOutcome = {
          status: 'refused',
          reason: 'label-used',
          uid: waiting.uid,
          message: `Label ${text} is already in Spirii on card ${uid} (token ${found.id}, customer ${found.customerId})`,
          existing: null,
          detail: { key: 'label-in-spirii', params: { label: text, uid, spiriiId: found.id, customerId: found.customerId } },
        };
        this.parts.refused(outcome);
        return outcome;
      }
    }
    return enrollment.giveLabel(label);
  }

  private async inSpirii(label: string): Promise<SpiriiToken | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const page = await Promise.race([
        this.parts.client.listTokens({ search: label.slice(0, 50), limit: 100 }),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LOOKUP_MS))),
      ]);
      return page?.data.find((token) => token.identifier.label === label) ?? null;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
