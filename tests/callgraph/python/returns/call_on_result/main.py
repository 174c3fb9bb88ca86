class Handler:
    def go(self):
        pass

def make():
    return Handler()

def main():
    make().go()
