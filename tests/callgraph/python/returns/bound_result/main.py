class Handler:
    def go(self):
        pass

def make():
    h = Handler()
    return h

def main():
    x = make()
    x.go()
