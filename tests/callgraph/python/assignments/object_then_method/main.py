class Engine:
    def start(self):
        pass

def main():
    e = Engine()
    e.start()
