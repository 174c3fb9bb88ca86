class Root:
    def hello(self):
        pass

class Left(Root):
    pass

class Right(Root):
    def hello(self):
        pass

class Bottom(Left, Right):
    pass

def main():
    b = Bottom()
    b.hello()
