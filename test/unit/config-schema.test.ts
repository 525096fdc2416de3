import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { configSchema, editorSchema } from '../../src/engine/config/schema';
import { loadConfigObject } from '../../src/engine/config/resolve';

type Node = { description?: string; default?: unknown; properties?: Record<string, Node> };

/** Every field of the schema with its dotted path. */
function fields(s: Node, prefix = ''): [string, Node][] {
  return Object.entries(s.properties ?? {}).flatMap(([k, v]) => [[`${prefix}${k}`, v] as [string, Node], ...fields(v, `${prefix}${k}.`)]);
}

test('every schema field has a description, and every default is stated in it', () => {
  const all = fields(configSchema as unknown as Node);
  assert.ok(all.length > 60, `${all.length} fields`);
  for (const [p, f] of all) {
    assert.ok(f.description && f.description.length >= 20, `${p} has no description worth the name`);
    if (f.default !== undefined) assert.match(f.description, /default/i, `${p}: the description does not state the default`);
    // Stated defaults agree with the schema's own.
    const stated = /Default(?: and (?:paper|reference))?: (-?[\d.]+)\b/.exec(f.description);
    if (stated && typeof f.default === 'number') assert.equal(Number(stated[1]), f.default, `${p}: description says ${stated[1]}, schema ${String(f.default)}`);
  }
});

test('numeric fields name their unit or what they count', () => {
  const units = /neurons|images|epoch|cells|fraction|rate|percent|timesteps|processes|partitions|groups|weight units|dimensionless|density|multipliers|samples|classes|inputs|memristors|mm²|µJ|seed|ohms|bits|seconds|\(0–1\)/i;
  for (const [p, f] of fields(configSchema as unknown as Node)) {
    const t = (f as { type?: string }).type;
    if (t === 'number' || t === 'integer') assert.match(f.description ?? '', units, `${p}: no unit in "${f.description}"`);
  }
});

test('a value nested without bound is refused with a clear error, not a stack overflow', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 200_000; i++) deep = { a: deep };
  assert.throws(() => loadConfigObject({ dataset: { name: 'mnist' }, description: deep }), /description\.a\.a.*: is nested more than 64 levels deep/);
});

test('the editor\'s schema is the engine\'s without additionalProperties: unknown fields are reported once, by the extension', () => {
  const e = editorSchema();
  assert.doesNotMatch(JSON.stringify(e), /"additionalProperties":false/);
  assert.match(JSON.stringify(configSchema), /"additionalProperties":false/);
  const strip = (s: string) => s.replace(/,?"additionalProperties":false/g, '').replace(/\{,/g, '{');
  assert.equal(JSON.stringify(e), strip(JSON.stringify(configSchema)));
});
