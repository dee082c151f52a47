import { describe, expect, it } from 'vitest';
import { MissingPackageError, loadOptional } from '../src-main/optional-package.js';

/** A specifier held in a variable: TypeScript does not look for a module it cannot name. */
const name = 'mailbeacon-no-such-package';

describe('loadOptional', () => {
  it('names the missing package and how to add it', async () => {
    const err = await loadOptional(name, 'The feature', () => import(name)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPackageError);
    expect((err as MissingPackageError).statusCode).toBe(501);
    expect((err as Error).message).toBe(
      `The feature needs the package ${name}, which is not installed or cannot load here: npm install ${name}`,
    );
  });

  it("passes on any other failure, including another package's absence", async () => {
    const other = await loadOptional('sharp', 'Thumbnails', () => import(name)).catch((e: unknown) => e);
    expect(other).not.toBeInstanceOf(MissingPackageError);
    const bug = new TypeError('a bug in the module');
    await expect(loadOptional('sharp', 'Thumbnails', () => Promise.reject(bug))).rejects.toBe(bug);
  });

  it('names the package to install when one that comes with it is the one missing', async () => {
    const err = await loadOptional('caniemail', 'The HTML check', () => import(name), [name]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MissingPackageError);
    expect((err as Error).message).toContain('npm install caniemail');
  });

  it('returns the module when it loads', async () => {
    const { thumbnail } = await loadOptional(
      'sharp',
      'Thumbnails',
      () => import('../src-main/checks/thumbnail.js'),
    );
    expect(typeof thumbnail).toBe('function');
  });
});
