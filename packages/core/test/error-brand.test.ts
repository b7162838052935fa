import { describe, expect, it } from 'vitest';
import { convTransposeOutputSize, isTconvError, OptionError, TconvError } from '@tconv/core';

// A second copy of the errors module, as a process gets when it both `require`s and `import`s
// core (the dual-package hazard): vite loads a module once per distinct URL, query included.
const secondCopy = '../src/errors.ts?second-copy';
const copy = (await import(/* @vite-ignore */ secondCopy)) as typeof import('../src/errors');

describe('isTconvError', () => {
  it('recognises every TconvError subclass of this copy', () => {
    let thrown: unknown;
    try {
      convTransposeOutputSize(4, 3, { stride: 0 });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(OptionError);
    expect(isTconvError(thrown)).toBe(true);
    expect(isTconvError(new TconvError('UNSUPPORTED', 'x', 'm'))).toBe(true);
  });

  it('recognises the errors of another copy of core, where instanceof fails', () => {
    const foreign = new copy.ShapeError('INVALID_SHAPE', 'shape', 'shape must be …');
    expect(copy.TconvError).not.toBe(TconvError); // two copies, two classes
    expect(foreign instanceof TconvError).toBe(false);
    expect(isTconvError(foreign)).toBe(true);
    expect(copy.isTconvError(new OptionError('INVALID_OPTION', 'stride', 'm'))).toBe(true);
  });

  it('rejects look-alikes: plain errors, objects with a code, primitives', () => {
    const lookalike = Object.assign(new Error('x'), { code: 'INVALID_OPTION', parameter: 'stride' });
    for (const value of [
      lookalike,
      new Error('x'),
      { code: 'INVALID_SHAPE' },
      null,
      undefined,
      'OptionError',
      1,
    ])
      expect(isTconvError(value)).toBe(false);
  });
});
