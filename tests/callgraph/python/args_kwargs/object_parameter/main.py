class Sink:
    def write(self):
        pass

def emit(out):
    out.write()

def main():
    emit(Sink())
