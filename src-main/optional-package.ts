/**
 * Packages the published library does not install (the CLI's bundles carry them, or they are optional): they are
 * loaded on first use, and when one is missing the answer names the package and how to add it, not a module path.
 */
export class MissingPackageError extends Error {
  /** An API route answers it as a 501 with this message: nothing is wrong with the request or the server. */
  readonly statusCode = 501;

  constructor(
    readonly packageName: string,
    feature: string,
    options?: ErrorOptions,
  ) {
    super(
      `${feature} needs the package ${packageName}, which is not installed or cannot load here: npm install ${packageName}`,
      options,
    );
    this.name = 'MissingPackageError';
  }
}

/** Whether `err` is the failure to load `packageName` itself (not one of its own bugs). */
function isMissing(err: unknown, packageName: string): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
    return err.message.includes(`'${packageName}'`) || err.message.includes(`'${packageName}/`);
  // sharp without its native library for this platform throws this on import.
  return err.message.includes(`"${packageName}" module`);
}

/**
 * Runs `load` (an `import()` of the module that uses `packageName`), turning its absence into MissingPackageError.
 * `comesWith` names packages that installing `packageName` brings, which the module also imports: their absence means
 * the same thing.
 */
export async function loadOptional<T>(
  packageName: string,
  feature: string,
  load: () => Promise<T>,
  comesWith: string[] = [],
): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if ([packageName, ...comesWith].some((name) => isMissing(err, name)))
      throw new MissingPackageError(packageName, feature, { cause: err });
    throw err;
  }
}
