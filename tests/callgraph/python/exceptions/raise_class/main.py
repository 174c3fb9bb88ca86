class Stop(Exception):
    pass

def check(x):
    if not x:
        raise Stop
