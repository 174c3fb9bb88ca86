class Base:
    def __init__(self):
        self.ready = True

class Child(Base):
    def work(self):
        return 1

c = Child()
c.work()
