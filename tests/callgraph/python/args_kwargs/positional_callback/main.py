def callback():
    pass

def run(cb):
    cb()

def main():
    run(callback)
