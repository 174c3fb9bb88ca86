class Engine:
    def start(self):
        pass

class Car:
    def __init__(self):
        self.engine = Engine()

def drive():
    car = Car()
    car.engine.start()
