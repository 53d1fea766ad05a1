// `token-station card` as a user runs it: real processes, a real SQLite file, the sandbox over
// real HTTP; then the same card with the sandbox gone (offline, from what the desk last saw).
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { useCliRig } from '../support/cli-rig';

// A sandbox per test: each starts with Spirii empty, and the first stops it halfway.
const rig = useCliRig('cli-card-key', { sandboxPerTest: true });

describe('token-station card and handover', () => {
  it('shows a card online by UID or label, then offline with the age of what it saw; an unknown card is exit 1', async () => {
    expect((await runCli(['add', '--uid', '04A224B2C35D80', '--customer', '1001', '--label', 'DK.ACME.0001'], rig.env)).code).toBe(0);
    expect((await runCli(['sync'], rig.env)).code).toBe(0);

    const online = await runCli(['card', '04:a2:24:b2:c3:5d:80'], rig.env);
    expect(online.code).toBe(0);
    expect(online.stdout).toMatch(/^Card 04A224B2C35D80 \(label DK\.ACME\.0001\)$/m);
    expect(online.stdout).toMatch(/^Spirii token \d+ \(now\):$/m);
    expect(online.stdout).toMatch(/customer +1001 Acme Fleet ApS/);
    expect(online.stdout).toMatch(/active +yes/);
    expect(online.stdout).toMatch(/valid +from \d{4}-\d\d-\d\d \d\d:\d\d UTC, no expiry/);
    expect(online.stdout).toMatch(/roaming +yes/);
    expect(online.stdout).toMatch(/billing ref +-/);
    expect(online.stdout).toMatch(/last change +\d{4}-/);
    expect(online.stdout).toMatch(/^This desk: synced, customer 1001, label DK\.ACME\.0001, Spirii token \d+; queued /m);
    expect(online.stdout).toMatch(/^ {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC {2}enroll {2}/m);

    const byLabel = await runCli(['card', 'dk.acme.0001', '--json'], rig.env);
    expect(byLabel.code).toBe(0);
    const report = JSON.parse(byLabel.stdout);
    expect(report).toMatchObject({ by: 'label', uid: '04A224B2C35D80', spiriiSource: 'live', known: true, customerName: 'Acme Fleet ApS', queue: { state: 'synced' } });
    expect(report.audit.map((e: { action: string }) => e.action)).toEqual(['enroll']);

    const unknown = await runCli(['card', '04B335C3D46E91', '--json'], rig.env);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ uid: '04B335C3D46E91', known: false, spiriiSource: 'live', spirii: null });

    await rig.stopSandbox();
    const offline = await runCli(['card', '04A224B2C35D80'], rig.env);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toMatch(/^Spirii token \d+ \(as this desk last saw it, less than a minute ago \(\d{4}-.* UTC\)\):$/m);
    expect(offline.stdout).toMatch(/^Spirii could not be asked now: Cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/m);
    const offlineJson = JSON.parse((await runCli(['card', '04A224B2C35D80', '--json'], rig.env)).stdout);
    expect(offlineJson).toMatchObject({ spiriiSource: 'seen', problemDetail: { key: 'offline' }, seenAt: report.seenAt });
    expect(offlineJson.ageMs).toBeGreaterThan(0);
  }, 90_000);

  it('prints the handover list of the session or a customer, with the customer’s name and the operator', async () => {
    expect((await runCli(['add', '--uid', '04A224B2C35D80', '--customer', '1003', '--label', 'FJH-0001'], rig.env)).code).toBe(0);
    expect((await runCli(['add', '--uid', '04A224B2C35D81', '--customer', '1003', '--label', 'FJH-0002'], rig.env)).code).toBe(0);
    expect((await runCli(['sync'], rig.env)).code).toBe(0);
    const session = await runCli(['handover'], rig.env);
    expect(session.code).toBe(0);
    expect(session.stdout).toMatch(/^Handover list: this enrollment session, 2 cards$/m);
    expect(session.stdout).toMatch(/^Customer: Fjordhavn Kommune \(1003\)$/m);
    expect(session.stdout).toMatch(/^Handed over by: \(no operator name set\), \d{4}-\d\d-\d\d$/m);
    expect(session.stdout).toMatch(/^FJH-0001 +04A224B2C35D80 +\d{4}-\d\d-\d\d +no expiry +active$/m);
    expect(session.stdout).toMatch(/^FJH-0002 +04A224B2C35D81 /m);
    const customer = JSON.parse((await runCli(['handover', '--customer', '1003', '--json'], rig.env)).stdout);
    expect(customer).toMatchObject({ scope: { kind: 'customer', customerId: 1003 }, customers: [{ id: 1003, name: 'Fjordhavn Kommune' }] });
    expect(customer.cards.map((c: { label: string }) => c.label)).toEqual(['FJH-0001', 'FJH-0002']);
    expect((await runCli(['handover', '--customer', '1003', '--import', 'x.csv'], rig.env)).code).toBe(2);
  }, 60_000);

  it('needs a UID or a label (exit 2)', async () => {
    const none = await runCli(['card'], rig.env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give a UID or a label/);
    expect((await runCli(['card', '04A224B2', '--bogus'], rig.env)).code).toBe(2);
  });

  it('refuses control characters in a query or an import name, and a flag given twice, in one line (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['card', 'DK.\u001b[31mACME'], /^a UID or label must not contain control characters.*got "DK\.\\x1b\[31mACME"$/],
      [['card', 'DK.ACME\n0001'], /^a UID or label must not contain control characters.*got "DK\.ACME\\n0001"$/],
      [['handover', '--import', 'x\u0007.csv'], /^--import must not contain control characters.*got "x\\x07\.csv"$/],
      [['card', '04A224B2', '--json', '--json'], /^--json is given more than once; give it once$/],
      [['handover', '--customer', '1001', '--customer', '1002'], /^--customer is given more than once; give it once$/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, rig.env);
      expect(result.code, args.join(' ')).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]!.replace(/^token-station \w+: /, ''), args.join(' ')).toMatch(message);
      // eslint-disable-next-line no-control-regex -- the point: nothing raw reaches the terminal
      expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    }
  }, 60_000);
});
