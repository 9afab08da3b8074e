import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from '../config/clients.ts';
import type { Config } from '../config/index.ts';
import { LocalCipher, NoCipher, type Cipher } from './cipher.ts';
import { KmsCipher } from './kms-cipher.ts';
import { KeyValueStore } from './store.ts';

/**
 * What encrypts the secrets of `config`'s datastore: the stage's KMS key when `ACTIONRUNNER_DATASTORE_KMS_KEY`
 * names one (a deployed stage), else the key file (the local runtime's), else nothing (secrets refused, saying so).
 */
export function cipherFor(config: Pick<Config, 'datastoreKmsKey' | 'datastoreKeyFile'>, clients: Pick<AwsClients, 'kms'>): Cipher {
  if (config.datastoreKmsKey) return new KmsCipher({ kms: clients.kms, keyId: config.datastoreKmsKey });
  if (config.datastoreKeyFile) return new LocalCipher(config.datastoreKeyFile);
  return new NoCipher();
}

/** The datastore of `config`: its table, and the cipher of its secrets (`cipherFor`). */
export function keyValueStoreFor(
  config: Pick<Config, 'keyValueTable' | 'datastoreKeyFile' | 'datastoreKmsKey'>,
  clients: { doc: DynamoDBDocumentClient } & Pick<AwsClients, 'kms'>,
): KeyValueStore {
  return new KeyValueStore({ doc: clients.doc, tableName: config.keyValueTable, cipher: cipherFor(config, clients) });
}
