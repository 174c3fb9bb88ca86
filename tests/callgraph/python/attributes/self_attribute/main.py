class Handler:
    def go(self):
        pass

class Service:
    def __init__(self):
        self.handler = Handler()

    def run(self):
        self.handler.go()
