class Greeter:
    def greet(self):
        pass

def main():
    g = Greeter()
    say = g.greet
    say()
