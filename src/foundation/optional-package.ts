import { ChurnError } from '../errors.js';
import { packageInfo } from './package-files.js';

/**
 * Loads a module that depends on an optional package (onnxruntime-node, the AWS SDK: heavy, and needed only by
 * some models), turning "cannot find the package" into one line that names it and says how to install it.
 * The version to install is the range package.json declares for it as an optional peer dependency.
 */
export async function importOptional<T>(load: () => Promise<T>, packageName: string, neededFor: string): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    const { code, message } = cause as NodeJS.ErrnoException;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${packageName}'`)) {
      throw new ChurnError('PACKAGE_NOT_INSTALLED', `${neededFor} needs the optional package ${packageName}, which is not installed: npm install ${packageName}@"${packageInfo.peerDependencies[packageName] ?? 'latest'}"`, [], { cause });
    }
    throw cause;
  }
}
