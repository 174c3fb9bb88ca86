REGISTRY = []

def register(fn):
    REGISTRY.append(fn)
    return fn

@register
def task():
    pass

task()
