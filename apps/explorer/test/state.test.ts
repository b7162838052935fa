import { describe, expect, it } from 'vitest';
import { findPreset, PRESETS } from '../src/presets';
import type { ExplorerState } from '../src/state';
import { parseNumbers, parsePair } from '../src/query';
import { DEFAULT_STATE, parseState, stateToQuery, withConvention } from '../src/state';

const roundTrip = (s: ExplorerState) => parseState(stateToQuery(s));

describe('state ↔ URL', () => {
  it("reads the issue's example query exactly", () => {
    const { state, problems } = parseState(
      '?input=4x4&kernel=3x3&stride=2&padding=1&outputPadding=1&dilation=1&groups=1&convention=pytorch',
    );
    expect(problems).toEqual([]);
    expect(state.input).toEqual([4, 4]);
    expect(state.kernel).toEqual([3, 3]);
    expect(state.stride).toEqual([2, 2]);
    expect(state.dilation).toEqual([1, 1]);
    expect(state.groups).toBe(1);
    expect(state.layer).toEqual({
      convention: 'pytorch',
      padding: [1, 1],
      outputPadding: [1, 1],
      outputSize: null,
    });
  });

  it('writes the issue parameters in its order, every one of them', () => {
    const q = stateToQuery(parseState('input=4x4&kernel=3x3&stride=2&padding=1&outputPadding=1').state);
    expect(q).toBe(
      'input=4x4&kernel=3x3&stride=2x2&padding=1x1&outputPadding=1x1&dilation=1x1&groups=1&convention=pytorch',
    );
  });

  it('reads Keras words and ONNX attributes', () => {
    const keras = parseState('convention=keras&padding=same&stride=2').state;
    expect(keras.layer).toEqual({ convention: 'keras', padding: 'same', outputPadding: null });
    const kerasOp = parseState('convention=keras&padding=valid&outputPadding=0').state;
    expect(kerasOp.layer).toEqual({ convention: 'keras', padding: 'valid', outputPadding: [0, 0] });
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID', 'NOTSET'] as const) {
      const onnx = parseState(`convention=onnx&autoPad=${autoPad}&pads=1,0,0,1&outputShape=8x8`).state;
      expect(onnx.layer).toEqual({
        convention: 'onnx',
        autoPad,
        pads: [1, 0, 0, 1],
        outputPadding: [0, 0],
        outputShape: [8, 8],
      });
    }
  });

  it('round-trips the default, every preset and every convention', () => {
    const states: ExplorerState[] = [DEFAULT_STATE, ...PRESETS.map((p) => p.state)];
    for (const s of [...states])
      for (const c of ['pytorch', 'keras', 'onnx'] as const) states.push(withConvention(s, c));
    for (const s of states) {
      const { state, problems } = roundTrip(s);
      expect(problems).toEqual([]);
      expect(state).toEqual(s);
    }
  });

  it('opens a preset from its id alone; parameters in the query win', () => {
    const lookup = (id: string) => findPreset(id)?.state;
    for (const p of PRESETS) {
      expect(parseState(`preset=${p.id}`, lookup)).toEqual({ state: p.state, problems: [] });
      for (const step of [null, 0, 2]) {
        const s = { ...p.state, step, view: 'conventions' as const };
        expect(parseState(stateToQuery(s), lookup)).toEqual({ state: s, problems: [] });
      }
    }
    const stride = parseState('preset=d2l-stride&stride=3', lookup).state;
    expect(stride.stride).toEqual([3, 3]);
    expect(stride.x).toEqual([0, 1, 2, 3]);
    expect(parseState('preset=no-such-example', lookup).state.input).toEqual(DEFAULT_STATE.input);
  });

  it('round-trips optional fields: output sizes, values, steps, channels, upsampling', () => {
    const s: ExplorerState = {
      ...DEFAULT_STATE,
      view: 'matrix',
      preset: 'custom-one',
      input: [3, 5],
      kernel: [2, 3],
      inChannels: 2,
      outChannels: 4,
      groups: 2,
      stride: [2, 3],
      dilation: [1, 2],
      layer: { convention: 'pytorch', padding: [1, 0], outputPadding: [1, 2], outputSize: [7, 12] },
      x: [0.5, -1, 2e-3, 3],
      w: [1, 2],
      step: 3,
      upsampling: { factor: 3, kernel: 5 },
    };
    expect(roundTrip(s)).toEqual({ state: s, problems: [] });
    const onnx: ExplorerState = {
      ...s,
      layer: {
        convention: 'onnx',
        autoPad: 'SAME_LOWER',
        pads: [0, 1, 2, 3],
        outputPadding: [1, 0],
        outputShape: [6, 6],
      },
    };
    expect(roundTrip(onnx)).toEqual({ state: onnx, problems: [] });
  });

  it('falls back to the default for malformed values and says which and why', () => {
    const { state, problems } = parseState(
      'input=four&kernel=3x3x3&stride=2.5&groups=one&convention=tf&view=nope&x=1,,2&step=-1',
    );
    expect(state.input).toEqual(DEFAULT_STATE.input);
    expect(state.kernel).toEqual(DEFAULT_STATE.kernel);
    expect(state.stride).toEqual(DEFAULT_STATE.stride);
    expect(state.groups).toBe(1);
    expect(state.layer.convention).toBe('pytorch');
    expect(state.view).toBe('scatter');
    expect(state.x).toBeNull();
    expect(state.step).toBeNull();
    expect(problems).toHaveLength(8);
    expect(problems[0]).toContain('convention "tf"');
    expect(problems.join('\n')).toContain('input "four" ignored');
    expect(problems.join('\n')).toContain('stride "2.5" ignored');
  });

  it('keeps well-formed but invalid numbers for core to reject (negative, zero)', () => {
    const { state, problems } = parseState('stride=0&padding=-1&outputPadding=5');
    expect(problems).toEqual([]);
    expect(state.stride).toEqual([0, 0]);
    expect(state.layer).toMatchObject({ padding: [-1, -1], outputPadding: [5, 5] });
  });

  it('rejects a Keras padding that is a number and ONNX pads of the wrong length', () => {
    expect(parseState('convention=keras&padding=1').problems[0]).toContain('expected one of same, valid');
    expect(parseState('convention=onnx&pads=1,1').problems[0]).toContain('four integers');
  });

  it('parses pairs: one number for both axes, x, × or a comma between two', () => {
    expect(parsePair('3')).toEqual([3, 3]);
    expect(parsePair('4x3')).toEqual([4, 3]);
    expect(parsePair('4×3')).toEqual([4, 3]);
    expect(parsePair('4,3')).toEqual([4, 3]);
    expect(parsePair('4x')).toBeNull();
    expect(parsePair('1x2x3')).toBeNull();
  });

  it('parses comma lists of numbers, rejecting empty and non-numeric items', () => {
    expect(parseNumbers('1, 2.5,-3,1e-3')).toEqual([1, 2.5, -3, 0.001]);
    expect(parseNumbers('')).toEqual([]);
    expect(parseNumbers('1,,2')).toBeNull();
    expect(parseNumbers('1,a')).toBeNull();
    expect(parseNumbers('1,Infinity')).toBeNull();
  });
});
