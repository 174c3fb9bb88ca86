class Widget:
    def draw(self):
        pass

def make_widget():
    return Widget()
