export function slugify(s: string): string { return s.toLowerCase(); }
export class Counter {
  count(): number { return 1; }
}
