class FileSink:
    def write(self):
        pass
