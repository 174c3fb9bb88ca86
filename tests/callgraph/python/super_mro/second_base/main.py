class A:
    def a(self):
        pass

class B:
    def m(self):
        pass

class C(A, B):
    pass

def main():
    C().m()
