def add():
    pass

def remove():
    pass

COMMANDS = {"add": add, "remove": remove}

def dispatch(name):
    COMMANDS[name]()
