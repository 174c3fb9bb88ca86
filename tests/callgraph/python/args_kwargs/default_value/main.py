def fallback():
    pass

def run(cb=fallback):
    cb()
