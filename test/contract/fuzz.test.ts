// Every call of the contract, fed wrong types, 10 MB strings, extra fields, cycles and deep
// nesting through the same dispatcher the Electron IPC handlers use, against a real station. Each
// answer must be a typed envelope (never a throw), each wrong input an 'invalid-input', and the
// station must still work afterwards. The inputs are derived from each call's schema, so a call
// added later is fuzzed without changing this file.
import { afterAll, beforeAll, describe as describeSuite, expect, it } from 'vitest';
import { z } from 'zod';
import { CALL_NAMES, contract, type CallName } from '../../electron/contract/contract';
import { createDispatch } from '../../electron/contract/dispatch';
import { createHandlers } from '../../electron/contract/handlers';
import { Station } from '../../electron/core/station';
import { FakeKeychain } from '../support/keychain';
import { tempDir } from '../support/temp';

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[]; minimum?: number; anyOf?: JsonSchema[]; items?: JsonSchema };

const TEN_MB = 'A'.repeat(10 * 1024 * 1024);

function jsonSchema(name: CallName): JsonSchema {
  return z.toJSONSchema(contract.calls[name].input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** The JSON types a property accepts (an empty list: anything). */
function typesOf(schema: JsonSchema): string[] {
  if (schema.anyOf) return schema.anyOf.flatMap(typesOf);
  if (schema.enum) return [...new Set(schema.enum.map((v) => (v === null ? 'null' : typeof v)))];
  if (schema.type === undefined) return [];
  return [schema.type].flat().map((t) => (t === 'integer' ? 'number' : t));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A value of the property's own type (so only the field being fuzzed is wrong). */
function sample(schema: JsonSchema): unknown {
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sample(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0]!);
  switch (typesOf(schema)[0]) {
    case 'string':
      return 'sample-value-123';
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return null;
  }
}

function validBase(schema: JsonSchema): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const key of schema.required ?? []) base[key] = sample(schema.properties![key]!);
  return base;
}

const WRONG_VALUES: unknown[] = ['text', 12345, -1.5, true, null, [], ['x', 1], { nested: { deeper: 1 } }];

function cyclic(): unknown {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  return a;
}

function deep(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { v: value };
  return value;
}

function describe(input: unknown): string {
  try {
    return String(JSON.stringify(input)).slice(0, 120);
  } catch {
    return `(${jsonType(input)} that JSON cannot hold)`;
  }
}

describeSuite('contract fuzz: every call, every field', () => {
  let station: Station;
  let cleanup: () => void;
  let dispatch: ReturnType<typeof createDispatch>;
  const failures: string[] = [];

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    station = await Station.create({ dataDir: dir, vault: new FakeKeychain().vault(), readers: { simulated: true }, sync: { autoStart: false } });
    dispatch = createDispatch(createHandlers(station, { version: 'fuzz', dataDir: dir }), (name, error) => failures.push(`${name}: ${String(error)}`));
  });
  afterAll(async () => {
    await station?.close();
    cleanup?.();
  });

  async function expectTyped(name: unknown, input: unknown, mustBe?: 'invalid-input' | 'unknown-call') {
    let envelope: Awaited<ReturnType<typeof dispatch>>;
    try {
      envelope = await dispatch(name, input);
    } catch (error) {
      throw new Error(`${String(name)} threw instead of answering: ${String(error)}`, { cause: error });
    }
    expect(typeof envelope.ok).toBe('boolean');
    if (!envelope.ok) {
      expect(['unknown-call', 'invalid-input', 'failed', 'transport']).toContain(envelope.error.code);
      expect(typeof envelope.error.message).toBe('string');
      expect(envelope.error.message.length, 'an error must not echo a huge input back').toBeLessThan(2000);
    }
    if (mustBe) expect(envelope, `${String(name)} ${describe(input)}`).toMatchObject({ ok: false, error: { code: mustBe } });
    return envelope;
  }

  it('covers every call in the contract', () => {
    expect(CALL_NAMES.length).toBeGreaterThanOrEqual(19);
    for (const name of CALL_NAMES) expect(jsonSchema(name).type).toBe('object');
  });

  it.each(CALL_NAMES)('%s: wrong whole inputs, extra fields, 10 MB, cycles, deep nesting are refused with a typed error', async (name) => {
    for (const input of ['text', 42, true, [], [{}], TEN_MB, deep(20_000), cyclic()]) await expectTyped(name, input, 'invalid-input');
    const base = validBase(jsonSchema(name));
    await expectTyped(name, { ...base, unexpected: 1 }, 'invalid-input');
    await expectTyped(name, { ...base, ['k'.repeat(1024 * 1024)]: 1 }, 'invalid-input');
    // JSON.parse makes "__proto__" an own property, as structured clone over IPC would.
    const proto = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    for (const [key, value] of Object.entries(base)) proto[key] = value;
    await expectTyped(name, proto, 'invalid-input');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(CALL_NAMES)('%s: each field with values of the wrong type, and 10 MB strings', async (name) => {
    const schema = jsonSchema(name);
    const base = validBase(schema);
    for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) {
      const accepted = typesOf(fieldSchema);
      for (const value of [...WRONG_VALUES, TEN_MB]) {
        const wrongType = accepted.length > 0 && !accepted.includes(jsonType(value));
        // A 10 MB string is wrong for every field, whatever its type: no field takes that much.
        await expectTyped(name, { ...base, [field]: value }, wrongType || value === TEN_MB ? 'invalid-input' : undefined);
      }
    }
  });

  it('unknown call names are refused, and the station still works afterwards', async () => {
    for (const name of ['fs.readFile', '__proto__', 'constructor', 'toString', '', 42, null, 'x'.repeat(1_000_000)]) await expectTyped(name, {}, 'unknown-call');
    expect(await dispatch('app.info', {})).toMatchObject({ ok: true, value: { version: 'fuzz' } });
    await dispatch('enrollment.update', { customerId: 1001 });
    expect(await dispatch('readers.simulateTap', { uid: '04A224B2C35D80' })).toMatchObject({ ok: true, value: { status: 'queued' } });
    // Handlers may refuse valid-looking input ("no such token"), but nothing the schemas let through
    // may break them: a TypeError or RangeError would mean a malformed value got past validation.
    expect(failures.filter((f) => /TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack/.test(f))).toEqual([]);
  });
});
