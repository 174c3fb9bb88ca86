def run(onerror=None):
    if onerror is None:
        def onerror():
            pass
    onerror()


def report():
    pass


def main():
    run(onerror=report)
