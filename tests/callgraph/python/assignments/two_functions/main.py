def f():
    pass

def g():
    pass

def run(flag):
    h = f
    if flag:
        h = g
    h()
