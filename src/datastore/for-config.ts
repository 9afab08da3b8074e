import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config/index.ts';
import { LocalCipher } from './cipher.ts';
import { KeyValueStore } from './store.ts';

/** The datastore of `config`: its table, and the key file that encrypts its secrets when one is configured. */
export function keyValueStoreFor(config: Pick<Config, 'keyValueTable' | 'datastoreKeyFile'>, clients: { doc: DynamoDBDocumentClient }): KeyValueStore {
  const cipher = config.datastoreKeyFile ? new LocalCipher(config.datastoreKeyFile) : undefined;
  return new KeyValueStore({ doc: clients.doc, tableName: config.keyValueTable, cipher });
}
