def add():
    pass

TABLE = {"add": add}

def dispatch(name):
    fn = TABLE.get(name)
    fn()
