/**
 * The preset menu is built from the kit's example data (`@tconv/conformance/examples`), not a copy:
 * the worked examples' values and printed results, the size examples' shapes and options, and the
 * explorer's own examples are marked as not from the documents.
 */
import { AIM_IMAGE, D2L_MATRIX, DOCS, SIZE_EXAMPLES, WORKED_EXAMPLES } from '@tconv/conformance/examples';
import { resolveConvTranspose } from '@tconv/core';
import { describe, expect, it } from 'vitest';
import { inputShapeOf, layerOptions, weightShapeOf } from '../src/layer';
import { AIM_RGB, findPreset, PRESETS } from '../src/presets';
import type { ExplorerState } from '../src/state';

const outputSize = (s: ExplorerState): readonly number[] =>
  resolveConvTranspose(inputShapeOf(s), weightShapeOf(s), layerOptions(s)).outputSize;

const worked: [string, string][] = [
  ['gfg-example-1', 'gfg/example-1'],
  ['d2l-basic', 'd2l/basic'],
  ['d2l-padding', 'd2l/padding-1'],
  ['d2l-stride', 'd2l/stride-2'],
  ['notes-3x3', 'notes/3x3-output'],
];

const sized: [string, string][] = [
  ['gfg-valid', 'gfg/keras-valid-9x9'],
  ['gfg-same', 'gfg/keras-same-8x8'],
  ['notes-k3s2-op1', 'notes/pytorch-6x6'],
  ['tds-2x2-to-4x4', 'tds/2x2-k3-back-to-4x4'],
  ['aim-7to7', 'aim/7-to-7-padding-1'],
  ['aim-rgb-k3s4', 'aim/4-to-16-k3-s4-op1'],
  ['aim-rgb-k4s4', 'aim/4-to-16-k4-s4'],
];

describe('presets from the kit', () => {
  it.each(worked)(
    '%s holds the kit worked example %s: values, caption, citation, printed result',
    (id, kitId) => {
      const preset = findPreset(id)!;
      const example = WORKED_EXAMPLES.find((e) => e.id === kitId)!;
      expect(preset.state.x).toEqual(example.input.flat());
      expect(preset.state.w).toEqual(example.kernel.flat());
      expect(preset.documentOutput).toEqual(example.expected);
      expect(preset.note).toBe(example.caption);
      expect(preset.source.startsWith(DOCS[example.doc])).toBe(true);
      // the kit's options as the page's layer: core gives the printed result's size
      expect(outputSize(preset.state)).toEqual([example.expected.length, example.expected[0]!.length]);
    },
  );

  it.each(sized)('%s has the shapes of the kit size example %s', (id, kitId) => {
    const preset = findPreset(id)!;
    const example = SIZE_EXAMPLES.find((e) => e.id === kitId)!;
    const step = example.steps[0]!;
    expect(inputShapeOf(preset.state)).toEqual(example.inputShape);
    // The AIM presets run per channel (groups 3): the same Cout and kernel, a third of the weights.
    expect(weightShapeOf(preset.state).slice(2)).toEqual(step.weightShape.slice(2));
    expect(preset.source.startsWith(DOCS[example.doc])).toBe(true);
    expect(preset.source).toContain(example.unprinted);
    expect(preset.note).toBe(example.caption);
    expect(outputSize(preset.state)).toEqual(example.expected.slice(2));
  });

  it("the GfG presets' input is the printed channels-last input, channels-first", () => {
    const printed = SIZE_EXAMPLES.find((e) => e.id === 'gfg/keras-same-8x8')!.printedInput!.values;
    const x = findPreset('gfg-same')!.state.x!;
    // element (h, w, c) of the printed (1, 4, 4, 3) tensor is element (c, h, w) of the preset
    for (let h = 0; h < 4; h++)
      for (let w = 0; w < 4; w++)
        for (let c = 0; c < 3; c++) expect(x[(c * 4 + h) * 4 + w]).toBe(printed[(h * 4 + w) * 3 + c]);
  });

  it("the AIM presets upsample the kit's image; d2l's matrix preset is Y and K of the kit", () => {
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++)
        for (let c = 0; c < 3; c++) expect(AIM_RGB[(c * 4 + i) * 4 + j]).toBe(AIM_IMAGE[i]![j]![c]);
    expect(findPreset('aim-rgb-k3s4')!.state.x).toEqual(AIM_RGB);
    const matrix = findPreset('d2l-matrix')!;
    expect(matrix.state.x).toEqual(D2L_MATRIX.output.flat());
    expect(matrix.state.w).toEqual(D2L_MATRIX.kernel.flat());
    expect(matrix.note).toBe(D2L_MATRIX.caption);
  });

  it("labels the explorer's own examples as not from the documents", () => {
    const own = PRESETS.filter((p) => !Object.values(DOCS).some((d) => p.source.startsWith(d)));
    expect(own.map((p) => p.id)).toEqual(['dilation-2', 'groups-2', 'onnx-same-upper-negative']);
    for (const p of own) {
      expect(p.label).toContain('not in the documents');
      expect(p.source).toContain("The explorer's own example");
    }
  });
});
