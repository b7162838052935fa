import { describe, expect, it } from 'vitest';
import { differences, resolveAxis, spellAxis } from '../src/spellings';

const words = (list: ReturnType<typeof spellAxis>) =>
  list.filter((s) => s.same).map((s) => `${s.framework} ${s.words}`);

describe('spellings of one axis', () => {
  it("GfG Examples 2 and 3: Keras 'valid' gives 9 and 'same' 8 for n 4, k 3, s 2", () => {
    const a = { n: 4, k: 3, s: 2, d: 1 };
    const valid = spellAxis(a, resolveAxis(a, { padding: 'valid' }));
    expect(valid.find((s) => s.words === "padding='valid'")?.resolved?.length).toBe(9);
    expect(words(valid)).toContain('PyTorch padding=0, output_padding=0');
    expect(words(valid)).toContain('ONNX auto_pad=VALID');
    const same = spellAxis(a, resolveAxis(a, { padding: 'same' }));
    expect(same.find((s) => s.words === "padding='same'")?.resolved?.length).toBe(8);
    // Keras 'same' crops 0 at the start and 1 at the end: PyTorch's symmetric padding cannot.
    expect(words(same).some((w) => w.startsWith('PyTorch'))).toBe(false);
    expect(words(same)).toContain('ONNX auto_pad=SAME_UPPER');
    expect(words(same)).not.toContain('ONNX auto_pad=SAME_LOWER');
  });

  it('PyTorch padding 1, output_padding 1 is ONNX SAME_LOWER and pads [1, 0]', () => {
    const a = { n: 4, k: 3, s: 2, d: 1 };
    const list = spellAxis(a, resolveAxis(a, { padding: 1, outputPadding: 1 }));
    expect(words(list)).toEqual(
      expect.arrayContaining([
        'PyTorch padding=1, output_padding=1',
        'PyTorch padding=1, output_size=8',
        'ONNX auto_pad=SAME_LOWER',
        'ONNX pads=[1, 0], output_padding=[0]',
        'ONNX output_shape=[8]',
      ]),
    );
    expect(list.find((s) => s.words === 'padding=1, output_padding=1')?.formula).toBe(
      '(4 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 8',
    );
  });

  it('AIM: (7 − 1)·1 + 3 − 2·1 + 0 = 7 is PyTorch padding 1 and Keras/ONNX same', () => {
    const a = { n: 7, k: 3, s: 1, d: 1 };
    const list = spellAxis(a, resolveAxis(a, { padding: 1 }));
    expect(words(list)).toEqual(
      expect.arrayContaining([
        "Keras padding='same'",
        'PyTorch padding=1, output_padding=0',
        'ONNX auto_pad=SAME_UPPER',
      ]),
    );
  });

  it("says where onnxruntime and Keras depart from the ONNX specification's negative total", () => {
    const a = { n: 3, k: 1, s: 3, d: 1 };
    const notes = differences(a, resolveAxis(a, { padding: 'same-upper' }));
    expect(notes.join('\n')).toContain('onnxruntime clamps the total to 0');
    expect(notes.join('\n')).toContain(
      "Crop at the start: Keras 'same' 0, ONNX SAME_UPPER -1, SAME_LOWER -1",
    );
    expect(notes.join('\n')).toContain("'valid' gives 9 without it and 7 with it");
  });

  it("reports core's error for a spelling core rejects, never throws", () => {
    const a = { n: 2, k: 2, s: 1, d: 1 };
    const list = spellAxis(a, resolveAxis(a, { padding: 1 }));
    expect(list.filter((s) => s.error).every((s) => /Error: /.test(s.error!))).toBe(true);
    expect(words(list)).toContain('PyTorch padding=1, output_padding=0');
  });
});
