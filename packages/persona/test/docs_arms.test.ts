// docs/arms.md states every arm's exact definition; this test reads its tables and scheme-config blocks and
// compares them with the code (world/arms.ts, experiment/arms.ts, the quick preset), so an arm added or
// changed without its documentation fails here.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARM_SPECS, STAGE2_ARMS, type ArmId } from '../src/world/arms.ts';
import { createWorld } from '../src/world/world.ts';
import { BUILTIN_ARM_NAMES } from '../src/experiment/arms.ts';
import { PERSONA_PRESETS } from '../src/experiment/config.ts';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/arms.md', import.meta.url)), 'utf8');

/** Rows of the Markdown table whose header row starts with `| <firstHeader> |`, as arrays of trimmed cells. */
function tableRows(firstHeader: string): string[][] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`));
  if (start === -1) throw new Error(`docs/arms.md has no table headed "${firstHeader}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(' | ').map((c) => c.trim()));
  }
  return rows;
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');
/** The first backquoted word of a cell (the prompt kind). */
const firstCode = (cell: string) => /`([^`]+)`/.exec(cell)?.[1];

describe('docs/arms.md', () => {
  it('lists every world data arm with its purity, prompts and evaluation prompt', () => {
    const world = createWorld({});
    const rows = tableRows('data arm');
    expect(rows.map((r) => unquote(r[0]!))).toEqual([...STAGE2_ARMS]);
    for (const [name, purity, uPrompt, cleanPrompt, , evalPrompt] of rows) {
      const id = unquote(name!) as ArmId;
      const spec = ARM_SPECS[id];
      const prompt = (hasU: boolean) => spec.trainPrompt({ world, hasU, draw: 0, emptyForm: 'empty' }).kind;
      expect({ id, purity, uPrompt: firstCode(uPrompt!), cleanPrompt: firstCode(cleanPrompt!), evalPrompt: unquote(evalPrompt!) }).toEqual({
        id,
        purity: spec.data,
        uPrompt: prompt(true),
        cleanPrompt: prompt(false),
        evalPrompt: spec.evalInoculation,
      });
    }
  });

  it('lists every built-in arm with its data arm, scheme and description', () => {
    const definitions = PERSONA_PRESETS.quick.armDefinitions;
    const rows = tableRows('arm');
    expect(rows.map((r) => unquote(r[0]!))).toEqual(BUILTIN_ARM_NAMES);
    for (const [name, data, scheme, description] of rows) {
      const def = definitions[unquote(name!)]!;
      expect({ name, data: unquote(data!), scheme: unquote(scheme!), description }).toEqual({ name, data: def.data, scheme: def.scheme, description: def.description });
    }
  });

  it('shows the routing arms’ scheme configs exactly as the quick preset has them', () => {
    const definitions = PERSONA_PRESETS.quick.armDefinitions;
    const block = (arm: string) => {
      const match = new RegExp(`<!-- scheme-config: ${arm.replace(/[+]/g, '\\+')} -->\\n\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
      if (!match) throw new Error(`docs/arms.md has no scheme-config block for ${arm}`);
      return JSON.parse(match[1]!) as unknown;
    };
    expect(block('era')).toEqual(definitions['era']!.schemeConfig);
    expect(definitions['era+ip']!.schemeConfig).toEqual(definitions['era']!.schemeConfig);
    expect(block('param-routing')).toEqual(definitions['param-routing']!.schemeConfig);
  });
});
