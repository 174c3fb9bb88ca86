from lib import make as mk

mk()
