class Thing:
    def go(self):
        pass

def main(name):
    t = Thing()
    getattr(t, name)()
