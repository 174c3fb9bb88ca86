def inner():
    pass

def outer():
    return inner

def main():
    outer()()
