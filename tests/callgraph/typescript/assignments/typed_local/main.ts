class Repo {
  find(id: number): number { return id; }
}
function open(): Repo { return new Repo(); }
export function lookup(): number {
  const r: Repo = open();
  return r.find(1);
}
