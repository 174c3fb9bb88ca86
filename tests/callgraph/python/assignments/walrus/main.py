class Conn:
    def close(self):
        pass

def main():
    if (c := Conn()):
        c.close()
