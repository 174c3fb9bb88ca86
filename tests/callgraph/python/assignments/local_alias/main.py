def target():
    pass

def caller():
    f = target
    f()
