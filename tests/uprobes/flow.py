def inner(x):
    return x + 1
def outer(x):
    return inner(x) * 2
class Box:
    def __init__(self, v):
        self.v = outer(v)
Box(3)
