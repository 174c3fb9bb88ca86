import pkg.util

pkg.util.clean()
