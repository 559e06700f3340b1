/**
 * How one attempt ended: with a value (a `Response`, for a fetch), or by throwing. `threw` tells them apart
 * because an error may be any value, `undefined` included.
 */
export type Outcome<T> = { threw: false; value: T } | { threw: true; error: unknown };
