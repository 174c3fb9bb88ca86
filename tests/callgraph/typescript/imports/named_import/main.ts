import { slugify, Counter as C } from "./util";
export function page(title: string): string {
  const c = new C();
  c.count();
  return slugify(title);
}
