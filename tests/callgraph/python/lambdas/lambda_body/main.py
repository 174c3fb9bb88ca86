def f():
    pass

def run():
    g = lambda: f()
    g()
