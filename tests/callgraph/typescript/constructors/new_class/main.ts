class Engine {
  constructor(public power: number) {}
  start(): number { return this.power; }
}
export function run(): number {
  const e = new Engine(3);
  return e.start();
}
