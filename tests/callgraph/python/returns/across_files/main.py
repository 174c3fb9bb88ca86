from factory import make_widget

def main():
    w = make_widget()
    w.draw()
