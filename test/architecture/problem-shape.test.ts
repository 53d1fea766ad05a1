// Every problem the contract carries to the window (each call's answer, each event) has the one
// shape of detail, { key, params }, read from the types the contract names, so a new shape (a bare
// code, `kind` plus a message, `key` with loose fields) cannot come in unseen.
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const contractFile = path.join(root, 'electron/contract/contract.ts');

/**
 * Where the core puts what went wrong, machine-readable: these names hold English text or a detail
 * (or a list of them), never a bare code. A refusal's `reason` is not here: it names the outcome,
 * as a state does, and the values its sentence needs come in the outcome's `detail`.
 */
const PROBLEM_NAME = /^(detail|problem|cause|hint)$|(Detail|Problem|Key|Code)$/;

function program(): { checker: ts.TypeChecker; contract: ts.Type; file: ts.SourceFile } {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const prog = ts.createProgram([contractFile], { ...config.options, noEmit: true });
  const checker = prog.getTypeChecker();
  const file = prog.getSourceFile(contractFile)!;
  const symbol = checker.getExportsOfModule(checker.getSymbolAtLocation(file)!).find((s) => s.name === 'contract')!;
  return { checker, contract: checker.getTypeOfSymbolAtLocation(symbol, file), file };
}

/** The problems in the contract's answers and events that are not { key, params }: "where: why". */
function strayShapes(): { checked: number; stray: string[] } {
  const { checker, contract, file } = program();
  const stray = new Set<string>();
  const seen = new Set<ts.Type>();
  let checked = 0;
  const propertyType = (type: ts.Type, name: string) => {
    const property = type.getProperty(name);
    return property ? checker.getTypeOfSymbolAtLocation(property, file) : null;
  };
  const isStringLiteral = (type: ts.Type) => (type.isUnion() ? type.types : [type]).some((t) => t.isStringLiteral());
  const members = (type: ts.Type): ts.Type[] => (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));

  /** A value in a problem's place: English text (a string), or details of the one shape. */
  function checkProblem(type: ts.Type, where: string): void {
    for (const member of members(type)) {
      if (checker.isArrayType(member)) {
        checkProblem(checker.getTypeArguments(member as ts.TypeReference)[0], `${where}[]`);
        continue;
      }
      if (member.flags & ts.TypeFlags.StringLiteral) {
        stray.add(`${where}: a bare code (${checker.typeToString(type)})`);
        continue;
      }
      if (!(member.flags & ts.TypeFlags.Object)) continue;
      checked++;
      const names = member.getProperties().map((p) => p.name).sort();
      const key = propertyType(member, 'key');
      if (names.join() !== 'key,params' || !key || !isStringLiteral(key)) stray.add(`${where}: { ${names.join(', ')} }, not { key, params }`);
    }
  }

  function walk(type: ts.Type, where: string): void {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.isUnion() || type.isIntersection()) return type.types.forEach((t) => walk(t, where));
    if (checker.isArrayType(type) || checker.isTupleType(type)) return checker.getTypeArguments(type as ts.TypeReference).forEach((t) => walk(t, `${where}[]`));
    if (!(type.flags & ts.TypeFlags.Object) || type.getCallSignatures().length > 0) return;
    const key = propertyType(type, 'key');
    // A detail wherever it stands: { key, params } and nothing beside.
    if (key && isStringLiteral(key)) checkProblem(type, where);
    for (const property of type.getProperties()) {
      const value = checker.getTypeOfSymbolAtLocation(property, file);
      if (PROBLEM_NAME.test(property.name)) checkProblem(value, `${where}.${property.name}`);
      walk(value, `${where}.${property.name}`);
    }
  }

  const calls = propertyType(contract, 'calls')!;
  for (const call of calls.getProperties()) walk(propertyType(checker.getTypeOfSymbolAtLocation(call, file), 'output')!, `${call.name} →`);
  const events = propertyType(contract, 'events')!;
  for (const event of events.getProperties()) walk(checker.getTypeOfSymbolAtLocation(event, file), `event ${event.name} →`);
  return { checked, stray: [...stray].sort() };
}

describe('problem details in the contract', () => {
  it('have the one shape, { key, params }, in every answer and event', () => {
    const { checked, stray } = strayShapes();
    // The reading is not blind: the queue's, the readers' and the connection test's details are there.
    expect(checked).toBeGreaterThan(20);
    expect(stray).toEqual([]);
  }, 120_000);
});
