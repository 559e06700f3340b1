/**
 * Cross-realm type check: `instanceof` fails across realms and between two copies of the package, so the
 * guards also accept an object with the class's `name` and one of its own fields.
 */
export function hasName(error: unknown, name: string, field: string): boolean {
  return typeof error === 'object' && error !== null && (error as Error).name === name && field in error;
}
