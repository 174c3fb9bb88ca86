class A:
    def m(self):
        pass

def run():
    pair = (A(), 1)
    pair[0].m()
