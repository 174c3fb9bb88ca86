class Store:
    def put(self):
        pass

class Base:
    def __init__(self):
        self.store = Store()

class Child(Base):
    def save(self):
        self.store.put()
