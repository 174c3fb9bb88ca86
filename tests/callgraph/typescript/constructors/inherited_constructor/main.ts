class Base {
  constructor(readonly id: string) {}
}
class Child extends Base {
  hello(): string { return this.id; }
}
export function make(): string {
  return new Child("x").hello();
}
