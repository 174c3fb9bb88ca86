from app.sinks import FileSink
from app.emit import emit, each


def report(line):
    pass


def main():
    emit(FileSink())
    each([1, 2], callback=report)
