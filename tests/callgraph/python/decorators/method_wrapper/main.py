def logged(fn):
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def tagged(fn):
    fn.tag = "x"
    return fn


class Service:
    @logged
    def run(self):
        pass

    @tagged
    def stop(self):
        pass

    def go(self):
        self.run()
        self.stop()


def main():
    s = Service()
    s.run()
    s.stop()
