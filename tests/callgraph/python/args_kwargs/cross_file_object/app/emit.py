def emit(out):
    out.write()


def each(items, callback=None):
    for item in items:
        callback(item)
