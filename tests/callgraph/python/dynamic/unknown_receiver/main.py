class Thing:
    def go(self):
        pass

class Other:
    def go(self):
        pass

def main(obj):
    obj.go()
