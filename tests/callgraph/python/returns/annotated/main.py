class Reader:
    def read(self):
        pass

def open_reader() -> Reader:
    return make()

def make():
    return Reader()

def main():
    open_reader().read()
