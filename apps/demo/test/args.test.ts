import { describe, expect, it } from 'vitest';
import { DEFAULT_OUT, HELP, parseCliArgs, UsageError } from '../src/args';

const parse = (argv: string[], env: Record<string, string> = {}) => parseCliArgs(argv, env, '/work');

describe('parseCliArgs', () => {
  it('defaults: the real backends (webgpu included, cross-checked where it exists), pictures under the current directory, text output', () => {
    expect(parse([])).toEqual({
      help: false,
      json: false,
      out: `/work/${DEFAULT_OUT}`,
      backends: ['cpu', 'sparse', 'wasm', 'webgpu'],
      filter: null,
      color: undefined,
    });
  });

  it('selects backends in the order given, comma-separated or repeated, without duplicates', () => {
    expect(parse(['--backend', 'wasm,cpu', '-b', 'cpu', '-b', 'sparse']).backends).toEqual([
      'wasm',
      'cpu',
      'sparse',
    ]);
  });

  it('adds the wrong backend through the flag or the environment variable, once', () => {
    const withWrong = ['cpu', 'sparse', 'wasm', 'webgpu', 'wrong'];
    expect(parse(['--with-wrong-backend']).backends).toEqual(withWrong);
    expect(parse([], { TCONV_DEMO_WRONG_BACKEND: '1' }).backends).toEqual(withWrong);
    expect(parse(['-b', 'wrong,cpu'], { TCONV_DEMO_WRONG_BACKEND: '1' }).backends).toEqual(['wrong', 'cpu']);
    expect(parse([], { TCONV_DEMO_WRONG_BACKEND: '0' }).backends).toEqual([
      'cpu',
      'sparse',
      'wasm',
      'webgpu',
    ]);
    expect(parse([], { TCONV_DEMO_WRONG_BACKEND: '' }).backends).toEqual(['cpu', 'sparse', 'wasm', 'webgpu']);
  });

  it('resolves --out against the current directory; --no-pictures turns pictures off', () => {
    expect(parse(['--out', 'pics']).out).toBe('/work/pics');
    expect(parse(['-o', '/tmp/x']).out).toBe('/tmp/x');
    expect(parse(['--no-pictures']).out).toBeNull();
  });

  it('rejects unknown flags, unknown backends, missing values and contradictions', () => {
    expect(() => parse(['--colour'])).toThrow(UsageError);
    expect(() => parse(['--backend', 'gpu'])).toThrow('unknown backend "gpu"');
    expect(() => parse(['--out'])).toThrow(UsageError);
    expect(() => parse(['--out', 'x', '--no-pictures'])).toThrow('contradict');
    expect(() => parse(['--filter', ' '])).toThrow('--filter needs a non-empty text');
    expect(() => parse(['extra'])).toThrow(UsageError);
  });

  it('the help text names every option parseCliArgs accepts', () => {
    for (const flag of [
      '--out',
      '-o',
      '--no-pictures',
      '--json',
      '--backend',
      '-b',
      '--with-wrong-backend',
      '--filter',
      '--no-color',
      '--help',
      '-h',
    ]) {
      expect(HELP).toContain(flag);
    }
  });
});
