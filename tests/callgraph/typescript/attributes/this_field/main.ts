class Handler {
  go(): void {}
}
class Server {
  private handler: Handler;
  constructor() {
    this.handler = new Handler();
  }
  serve(): void {
    this.handler.go();
  }
}
