class NotFound extends Error {
  constructor(what: string) { super(what); }
}
export function get(k: string): string {
  throw new NotFound(k);
}
