class AppError(Exception):
    def __init__(self, msg):
        super().__init__(msg)

def check(x):
    if not x:
        raise AppError("no")
