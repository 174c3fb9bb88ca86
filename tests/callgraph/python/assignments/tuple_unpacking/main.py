def f():
    pass

def g():
    pass

def run():
    p, q = f, g
    p()
    q()
