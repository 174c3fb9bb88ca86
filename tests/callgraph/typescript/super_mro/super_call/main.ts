class Shape {
  constructor(public name: string) {}
  describe(): string { return this.name; }
}
class Square extends Shape {
  constructor() {
    super("square");
  }
  describe(): string {
    return "[" + super.describe() + "]";
  }
}
