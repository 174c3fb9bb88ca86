def callback():
    pass

def run(x, cb=None):
    cb()

def main():
    run(1, cb=callback)
