class Plain:
    def hello(self):
        pass

def main():
    Plain().hello()
