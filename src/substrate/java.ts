import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SubstrateError } from './errors.ts';

type Env = Record<string, string | undefined>;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Path of the `java` to run DynamoDB Local with: `$JAVA_HOME/bin/java`, else the first on `PATH`.
 * Throws a SubstrateError saying how to install Java when there is none.
 */
export function findJava(env: Env = process.env): string {
  const candidates = [
    ...(env.JAVA_HOME ? [join(env.JAVA_HOME, 'bin', 'java')] : []),
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'java')),
  ];
  const found = candidates.find(executable);
  if (!found) {
    throw new SubstrateError(
      'java not found: DynamoDB Local needs Java >= 17 on PATH or in JAVA_HOME - install it ' +
        '(e.g. `apt-get install -y openjdk-17-jre-headless`) or set AWS_ENDPOINT_URL to use LocalStack/AWS instead',
    );
  }
  return found;
}
