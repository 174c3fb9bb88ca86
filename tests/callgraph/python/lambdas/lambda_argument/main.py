def key(x):
    return x

def run(items):
    return sorted(items, key=lambda i: key(i))
