class Conn {
  close(): void {}
}
function connect(): Conn { return new Conn(); }
export function shutdown(): void {
  connect().close();
}
