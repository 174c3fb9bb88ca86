def f():
    pass

def g():
    pass

def run():
    handlers = [f, g]
    for h in handlers:
        h()
