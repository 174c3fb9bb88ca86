class Handler:
    def __init__(self, n):
        self.n = n

def build():
    return Handler(1)
