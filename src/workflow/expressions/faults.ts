/**
 * Internal failures raised while parsing or evaluating one expression. The facade (index.ts)
 * turns them into an `ExpressionError` whose message names the whole expression, in orquesta's
 * words: "Unable to evaluate expression '<% ... %>'. Kind: detail".
 */
export class Fault extends Error {
  constructor(
    /** Python-ish exception name shown in the message, e.g. `VariableUndefinedError`. */
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** A dict key that is not there (`ctx().missing`, `$.a.missing`, `d['k']`). */
export class KeyFault extends Fault {
  constructor(readonly key: string) {
    super('KeyError', key);
  }
}

/** A syntax error in one expression. `position` is the offset within the expression body. */
export class SyntaxFault extends Fault {
  constructor(
    kind: string,
    message: string,
    readonly position: number,
  ) {
    super(kind, message);
  }
}

export function fault(kind: string, message: string): Fault {
  return new Fault(kind, message);
}

export function typeFault(message: string): Fault {
  return new Fault('TypeError', message);
}

export function valueFault(message: string): Fault {
  return new Fault('ValueError', message);
}
