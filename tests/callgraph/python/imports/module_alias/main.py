import pkg.tools as t

def main():
    t.tool()
