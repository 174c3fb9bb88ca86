class Handler:
    def __init__(self):
        pass

class Server:
    handler_class = Handler

    def serve(self):
        h = self.handler_class()
        return h
