class Job:
    def run(self):
        pass

def jobs():
    yield Job()

def main():
    for j in jobs():
        j.run()
