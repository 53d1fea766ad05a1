// The CI scripts, checked here because the hosted workflow (.github/workflows/desk.yml) cannot run
// on these machines: it parses, every shell step is valid bash, it runs what it claims (npm test,
// npm run dist, the Electron smoke test) on the three desk OSes within CI's budget, and every
// script and file it names exists. And one truth about Node: package.json's engines, the README,
// .ci/node.sh and the workflow name the same versions, which satisfy Electron's installer.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; scripts: Record<string, string> };
const electronPkg = createRequire(path.join(root, 'package.json'))('electron/package.json') as { engines: { node: string }; dependencies: Record<string, string> };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: unknown;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, { 'runs-on': string; 'timeout-minutes'?: number; strategy?: { matrix?: { os?: string[] } }; steps: Step[] }>;
}

const workflow = parse(read('.github/workflows/desk.yml')) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const scripts = steps.filter((s) => s.run).map((s) => s.run!);

/** "22.12" from ">=22.12" or "22.12.0". */
const minimum = (range: string) => range.match(/(\d+\.\d+)/)![1]!;
const atLeast = (version: string, floor: string) => {
  const [a, b] = version.split('.').map(Number) as [number, number];
  const [c, d] = floor.split('.').map(Number) as [number, number];
  return a > c || (a === c && b >= d);
};

describe('the hosted CI workflow', () => {
  it('runs npm test, npm run dist and the Electron smoke test on Windows, macOS and Linux', () => {
    const jobs = Object.values(workflow.jobs);
    expect(jobs).toHaveLength(1);
    const [desk] = jobs;
    expect(desk!.strategy?.matrix?.os?.sort()).toEqual(['macos-latest', 'ubuntu-latest', 'windows-latest']);
    expect(desk!['runs-on']).toBe('${{ matrix.os }}');
    const all = scripts.join('\n');
    expect(all).toMatch(/^\s*npm ci$/m);
    expect(all).toMatch(/^\s*npm test$/m);
    expect(all).toMatch(/^\s*npm run dist$/m);
    expect(all).toContain('npx electron-builder --config electron-builder.e2e.yml --dir');
    expect(all).toContain('npx tsx test/packaging/electron-smoke.ts');
    expect(fs.readFileSync(path.join(root, 'test/packaging/electron-smoke.ts'), 'utf8')).toContain('_electron.launch');
  });

  it('stays within CI\'s budget and uses pinned major versions of its actions', () => {
    for (const job of Object.values(workflow.jobs)) expect(job['timeout-minutes']).toBeLessThanOrEqual(90);
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^actions\/[a-z-]+@v\d+$/);
  });

  it('is valid: every step is bash that parses, and every script and file it names exists', () => {
    expect(workflow.defaults?.run?.shell).toBe('bash');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ci-'));
    try {
      scripts.forEach((script, i) => {
        const file = path.join(dir, `step-${i}.sh`);
        fs.writeFileSync(file, script);
        execFileSync('bash', ['-n', file]); // throws on a syntax error
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const all = scripts.join('\n');
    for (const [, name] of all.matchAll(/npm run ([\w:-]+)/g)) expect(Object.keys(pkg.scripts), `npm run ${name}`).toContain(name);
    for (const [file] of all.matchAll(/(?:test|\.ci)\/[\w./-]+\.(?:ts|sh)|electron-builder[\w.]*\.yml|\btest\/[a-z]+(?=\s|$)/g)) {
      expect(fs.existsSync(path.join(root, file)), file).toBe(true);
    }
  });
});

describe('one truth about Node', () => {
  const ci = read('.ci/node.sh');
  const suiteNode = ci.match(/^SUITE_NODE=(\d+\.\d+\.\d+)$/m)![1]!;
  const electronNode = ci.match(/^ELECTRON_NODE=(\d+\.\d+\.\d+)$/m)![1]!;

  it('engines allow what Electron\'s installer requires, and nothing older', () => {
    expect(pkg.engines.node).toBe(`>=${minimum(electronPkg.engines.node)}`);
  });

  it('CI runs the suite on the oldest supported Node, and the core on the Node line Electron embeds', () => {
    expect(atLeast(suiteNode, minimum(pkg.engines.node))).toBe(true);
    expect(suiteNode.split('.')[0]).toBe(minimum(pkg.engines.node).split('.')[0]);
    // Electron pins @types/node to the major of the Node it embeds.
    expect(electronNode.split('.')[0]).toBe(electronPkg.dependencies['@types/node']!.match(/(\d+)/)![1]);
    expect(read('.ci/run')).toContain('bash .ci/core-on-node "$ELECTRON_NODE"');
    const setup = steps.find((s) => s.uses?.startsWith('actions/setup-node'))!;
    expect(setup.with?.['node-version']).toBe(minimum(pkg.engines.node));
  });

  it('the README says the same', () => {
    const readme = read('README.md');
    expect(readme).toContain(`**Node.js ${minimum(pkg.engines.node)} or newer**`);
    expect(readme).not.toMatch(/Node\.js 20\.19/);
    expect(readme).toContain(`Node ${suiteNode}`);
    expect(readme).toContain(`Node ${electronNode}`);
  });
});
