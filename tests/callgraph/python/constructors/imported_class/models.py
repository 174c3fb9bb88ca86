class Order:
    def __init__(self, customer):
        self.customer = customer

    def total(self):
        return 0
