/**
 * The JSON schema of an orquesta v1.0 workflow, as orquesta resolves its spec classes into one
 * schema (every sub-spec inlined, no `$ref`), so that a schema path reads as orquesta's does:
 * `properties.tasks.patternProperties.^\w+$.properties.next.items.properties.when.type`.
 */
const nonEmptyString = () => ({ type: 'string', minLength: 1 });
const positiveInteger = () => ({ type: 'integer', minimum: 0 });
const anyNullable = () => ({
  anyOf: ['null', 'array', 'boolean', 'integer', 'number', 'object', 'string'].map((type) => ({ type })),
});
const nonEmptyDict = () => ({ type: 'object', minProperties: 1, patternProperties: { '^\\w+$': anyNullable() } });
const oneKeyDict = () => ({ type: 'object', minProperties: 1, maxProperties: 1, patternProperties: { '^\\w+$': anyNullable() } });
const stringOrPositiveInteger = () => ({ oneOf: [nonEmptyString(), positiveInteger()] });
const uniqueList = (items: object) => ({ type: 'array', items, uniqueItems: true, minItems: 1 });

/** `x, y in <% ... %>` or a lone expression (orquesta's items pattern, for YAQL and Jinja). */
const EXPR = String.raw`<%.*?%>|\{\{.*?\}\}|\{%.*?%\}`;
export const ITEMS_PATTERN = String.raw`^(\s+)?(${EXPR})(\s+)?$|^(\s+)?((\w+,\s?|\s+)+)?(\w+)\s+in\s+(${EXPR})(\s+)?$`;

const transition = {
  type: 'object',
  properties: {
    when: nonEmptyString(),
    publish: { oneOf: [nonEmptyString(), uniqueList(oneKeyDict())] },
    do: { oneOf: [nonEmptyString(), uniqueList(nonEmptyString())] },
  },
  additionalProperties: false,
};

const task = {
  type: 'object',
  properties: {
    delay: stringOrPositiveInteger(),
    join: { oneOf: [{ enum: ['all'] }, positiveInteger()] },
    with: {
      type: 'object',
      properties: { items: { type: 'string', minLength: 1, pattern: ITEMS_PATTERN }, concurrency: stringOrPositiveInteger() },
      additionalProperties: false,
    },
    action: nonEmptyString(),
    input: { oneOf: [nonEmptyString(), nonEmptyDict()] },
    retry: {
      type: 'object',
      properties: { when: nonEmptyString(), count: stringOrPositiveInteger(), delay: stringOrPositiveInteger() },
      required: ['count'],
      additionalProperties: false,
    },
    next: { type: 'array', items: transition },
  },
  additionalProperties: false,
};

export const WORKFLOW_SCHEMA = {
  type: 'object',
  properties: {
    vars: uniqueList(oneKeyDict()),
    input: uniqueList({ oneOf: [nonEmptyString(), oneKeyDict()] }),
    output: uniqueList(oneKeyDict()),
    tasks: { type: 'object', minProperties: 1, patternProperties: { '^\\w+$': task } },
    name: nonEmptyString(),
    version: { anyOf: [nonEmptyString(), positiveInteger(), { type: 'number', minimum: 0 }], enum: ['1.0', 1.0] },
    description: nonEmptyString(),
    tags: uniqueList(nonEmptyString()),
  },
  required: ['tasks'],
  additionalProperties: false,
};
