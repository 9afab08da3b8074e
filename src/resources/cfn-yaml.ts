import { parse } from 'yaml';
import type { ScalarTag, CollectionTag, YAMLMap, YAMLSeq } from 'yaml';

// CloudFormation short-form intrinsics (!Ref, !GetAtt, !Sub ...) as their long JSON form, the way CloudFormation reads them.
const INTRINSICS = [
  'Ref',
  'Condition',
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'FindInMap',
  'ImportValue',
  'Base64',
  'GetAZs',
  'Cidr',
  'Transform',
] as const;

function key(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function scalarValue(name: string, value: string): unknown {
  // `!GetAtt Table.Arn` is short for `Fn::GetAtt: [Table, Arn]`.
  if (name === 'GetAtt') {
    const dot = value.indexOf('.');
    return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
  }
  return value;
}

const customTags: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => ({ [key(name)]: scalarValue(name, value) }) } as ScalarTag,
  {
    tag: `!${name}`,
    collection: 'seq',
    resolve: (seq: YAMLSeq) => ({ [key(name)]: seq.toJSON() }),
  } as unknown as CollectionTag,
  {
    tag: `!${name}`,
    collection: 'map',
    resolve: (map: YAMLMap) => ({ [key(name)]: map.toJSON() }),
  } as unknown as CollectionTag,
]);

/** Parses YAML that may use CloudFormation's short-form tags into plain JSON-like values. */
export function parseCfnYaml(source: string): unknown {
  return parse(source, { customTags, uniqueKeys: true });
}
