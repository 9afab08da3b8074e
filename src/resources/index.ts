export { resourceDefinition, readServerlessDocument, SERVERLESS_FILE } from './definition.ts';
export type {
  AttributeType,
  KeyAttribute,
  KeySchema,
  IndexDefinition,
  TableDefinition,
  DlqDefinition,
  QueueDefinition,
  ResourceDefinition,
  ResourceDefinitionOptions,
} from './definition.ts';
export { createResources, deleteResources } from './provision.ts';
export type { CreatedResources, QueueUrls, TableNames, ProvisionOptions } from './provision.ts';
export { renderLocalstackInit, LOCALSTACK_INIT_PATH } from './localstack.ts';
export { parseCfnYaml } from './cfn-yaml.ts';
export { resolveValue } from './variables.ts';
export type { VariableContext } from './variables.ts';
export { ResourceDefinitionError, ResourceProvisionError } from './errors.ts';
