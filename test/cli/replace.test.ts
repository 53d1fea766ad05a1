// `token-station replace` as a user runs it, through a pipe: real processes, a real SQLite file,
// the sandbox over real HTTP. The new card takes the old one's customer and settings, the old one
// ends inactive naming the new card, the jobs are listed; a refusal is exit 1 with one line.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { useCliRig } from '../support/cli-rig';

const OLD = '04A224B2C35D80';
const NEW = '04B335C3D46E91';
// A sandbox per test: each test enrolls the same cards in an empty Spirii.
const rig = useCliRig('cli-replace-key', { sandboxPerTest: true });

describe('token-station replace', () => {
  it('replaces a lost card found by its label: the new token in Spirii, the old one deactivated naming it; listed as done', async () => {
    expect((await runCli(['add', '--uid', OLD, '--customer', '1002', '--label', 'DK.ACME.0001'], rig.env)).code).toBe(0);
    expect((await runCli(['sync'], rig.env)).code).toBe(0);

    const done = await runCli(['replace', '--old', 'DK.ACME.0001', '--new', '04:b3:35:c3:d4:6e:91', '--label', 'DK.ACME.0002'], rig.env);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toBe(`Replacement 1: DK.ACME.0001 (${OLD}) -> DK.ACME.0002 (${NEW}), customer 1002: done. Card ${OLD} is deactivated and card ${NEW} replaces it.\n`);

    const old = JSON.parse((await runCli(['card', OLD, '--json'], rig.env)).stdout);
    expect(old.spirii).toMatchObject({ isActive: false, comment: `Replaced by card DK.ACME.0002 / ${NEW}` });
    const replacement = JSON.parse((await runCli(['card', NEW, '--json'], rig.env)).stdout);
    expect(replacement.spirii).toMatchObject({ isActive: true, customerId: 1002, identifier: { label: 'DK.ACME.0002' } });
    expect(replacement.queue).toMatchObject({ state: 'synced' });

    const list = await runCli(['replace', 'list'], rig.env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^1 +done +${OLD} +DK\\.ACME\\.0001 +${NEW} +DK\\.ACME\\.0002 +1002 `, 'm'));
    const jobs = JSON.parse((await runCli(['replace', 'list', '--json'], rig.env)).stdout);
    expect(jobs).toMatchObject([{ id: 1, state: 'done', oldUid: OLD, newUid: NEW }]);

    const audit = JSON.parse((await runCli(['audit', '--action', 'replace', '--json'], rig.env)).stdout);
    expect(audit.map((e: { details: { step: string } }) => e.details.step)).toEqual(['done', 'new token in Spirii', 'started']);

    // The same card again: already inactive, nothing to replace; exit 1 with one line, nothing queued.
    const again = await runCli(['replace', '--old', OLD, '--new', '04C446D4E57FA2'], rig.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Not replaced: Card 04A224B2C35D80 is already inactive in Spirii: there is nothing to replace\n$/);
    expect(JSON.parse((await runCli(['queue', '--json'], rig.env)).stdout)).toHaveLength(2);
  });

  it('a new card already in the queue is refused as a tap is, in JSON too; an unknown old card likewise', async () => {
    expect((await runCli(['add', '--uid', OLD, '--customer', '1002'], rig.env)).code).toBe(0);
    expect((await runCli(['add', '--uid', NEW, '--customer', '1001'], rig.env)).code).toBe(0);
    expect((await runCli(['sync'], rig.env)).code).toBe(0);
    const taken = await runCli(['replace', '--old', OLD, '--new', NEW, '--json'], rig.env);
    expect(taken.code).toBe(1);
    expect(JSON.parse(taken.stdout)).toMatchObject({ event: 'refused', reason: 'new-refused' });
    const unknown = await runCli(['replace', '--old', '04FFEEDDCCBBAA', '--new', '04C446D4E57FA2'], rig.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Not replaced: No token for 04FFEEDDCCBBAA is known in Spirii\n$/);
  });
});
